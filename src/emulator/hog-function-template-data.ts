// A handful of realistic hog function templates (GET .../hog_function_templates/), which a
// hog-function create may name in `template_id` to fill name/description/hog/inputs_schema/icon_url.
import type { JsonObject } from './json.js';

export interface TemplateDef {
  id: string;
  name: string;
  description: string;
  code: string;
  code_language: 'hog';
  inputs_schema: JsonObject[];
  type: string;
  status: 'stable' | 'beta' | 'alpha' | 'deprecated' | 'hidden';
  category: string[];
  free: boolean;
  icon_url: string;
  filters: JsonObject | null;
  masking: JsonObject | null;
  mapping_templates: JsonObject[] | null;
}

const WEBHOOK_CODE =
  "let headers := inputs.headers ?? {}\n\nif (notEmpty(inputs.auth_header)) {\n  headers['Authorization'] := inputs.auth_header\n}\n\nlet payload := {\n  'headers': headers,\n  'body': inputs.body,\n  'method': inputs.method\n}\n\nif (inputs.debug) {\n  print('Request', inputs.url, payload)\n}\n\nlet res := fetch(inputs.url, payload)\n\nif (res.status >= 400) {\n  throw Error(f'Webhook failed with status {res.status}: {res.body}')\n}\n\nif (inputs.debug) {\n  print('Response', res.status, res.body)\n}";

const SLACK_CODE =
  "let res := fetch('https://slack.com/api/chat.postMessage', {\n  'body': {\n    'channel': inputs.channel,\n    'icon_emoji': inputs.icon_emoji,\n    'username': inputs.username,\n    'blocks': inputs.blocks,\n    'text': inputs.text\n  },\n  'method': 'POST',\n  'headers': {\n    'Authorization': f'Bearer {inputs.slack_workspace.access_token}',\n    'Content-Type': 'application/json'\n  }\n})\n\nif (res.status != 200 or res.body.ok == false) {\n  throw Error(f'Failed to post message to Slack: {res.status}: {res.body}')\n}";

const GEOIP_CODE =
  "// Adds $geoip_* properties looked up from the event's IP address.\nlet ip := event.properties.$ip\nif (not ip) {\n  print('No IP found, skipping GeoIP lookup')\n  return event\n}\n\nlet response := geoipLookup(ip)\nif (not response) {\n  print('IP not found in the GeoIP database')\n  return event\n}\n\nlet location := {\n  'city_name': response.city.names.en,\n  'country_name': response.country.names.en,\n  'country_code': response.country.isoCode,\n  'continent_code': response.continent.code,\n  'time_zone': response.location.timeZone\n}\n\nlet returnEvent := event\nfor (let key, value in location) {\n  returnEvent.properties[f'$geoip_{key}'] := value\n}\nreturn returnEvent";

const IP_ANONYMIZATION_CODE =
  "// Replaces the last octet of the IPv4 address with 0.\nif (not event.properties.$ip) {\n  return event\n}\n\nlet parts := splitByString('.', event.properties.$ip)\nif (length(parts) != 4) {\n  print('Not an IPv4 address, leaving it as it is')\n  return event\n}\n\nparts[4] := '0'\nlet returnEvent := event\nreturnEvent.properties.$ip := arrayStringConcat(parts, '.')\nreturn returnEvent";

const URL_MASKING_CODE =
  "// Masks query strings in URL properties, which often carry tokens and e-mail addresses.\nlet returnEvent := event\nfor (let propertyName in splitByString(',', inputs.urlProperties)) {\n  let prop := trim(propertyName)\n  let value := event.properties[prop]\n  if (notEmpty(value)) {\n    let parts := splitByString('?', value, 2)\n    if (length(parts) > 1) {\n      returnEvent.properties[prop] := f'{parts[1]}?{inputs.maskWith}'\n    }\n  }\n}\nreturn returnEvent";

const EMAIL_CODE = "let res := sendEmail(inputs.email)\n\nif (not res.success) {\n  throw Error(f'Email failed to send: {res.error}')\n}";

const choice = (v: string) => ({ label: v, value: v });

export const TEMPLATES: readonly TemplateDef[] = [
  {
    id: 'template-webhook',
    name: 'HTTP Webhook',
    description: 'Sends a webhook templated by the incoming event data',
    code: WEBHOOK_CODE,
    code_language: 'hog',
    inputs_schema: [
      { key: 'url', type: 'string', label: 'Webhook URL', secret: false, required: true },
      {
        key: 'method',
        type: 'choice',
        label: 'Method',
        secret: false,
        choices: ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'].map(choice),
        default: 'POST',
        required: false,
      },
      {
        key: 'body',
        type: 'json',
        label: 'JSON Body',
        default: { event: '{event}', person: '{person}' },
        secret: false,
        required: false,
      },
      {
        key: 'headers',
        type: 'dictionary',
        label: 'Headers',
        secret: false,
        required: false,
        default: { 'Content-Type': 'application/json' },
      },
      {
        key: 'auth_header',
        type: 'string',
        label: 'Authorization header',
        description: 'Sent as the Authorization header, for example "Bearer <token>". Stored encrypted.',
        secret: true,
        required: false,
      },
      {
        key: 'debug',
        type: 'boolean',
        label: 'Log responses',
        description: 'Logs the response of http calls for debugging.',
        secret: false,
        required: false,
        default: false,
      },
    ],
    type: 'destination',
    status: 'stable',
    category: ['Custom'],
    free: true,
    icon_url: '/static/services/webhook.svg',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
  {
    id: 'template-slack',
    name: 'Slack',
    description: 'Sends a message to a Slack channel',
    code: SLACK_CODE,
    code_language: 'hog',
    inputs_schema: [
      {
        key: 'slack_workspace',
        type: 'integration',
        integration: 'slack',
        label: 'Slack workspace',
        requiredScopes: 'channels:read groups:read chat:write chat:write.customize',
        secret: false,
        required: true,
      },
      {
        key: 'channel',
        type: 'integration_field',
        integration_key: 'slack_workspace',
        integration_field: 'slack_channel',
        label: 'Channel to post to',
        description: 'Select the channel to post to (e.g. #general). The PostHog app must be installed in the workspace.',
        secret: false,
        required: true,
      },
      { key: 'icon_emoji', type: 'string', label: 'Emoji icon', default: ':hedgehog:', required: false, secret: false },
      { key: 'username', type: 'string', label: 'Bot name', default: 'PostHog', required: false, secret: false },
      {
        key: 'blocks',
        type: 'json',
        label: 'Blocks',
        default: [
          { text: { text: "*{person.name}* triggered event: '{event.event}'", type: 'mrkdwn' }, type: 'section' },
          {
            type: 'actions',
            elements: [
              { url: '{person.url}', text: { text: 'View Person in PostHog', type: 'plain_text' }, type: 'button' },
              { url: '{source.url}', text: { text: 'Message source', type: 'plain_text' }, type: 'button' },
            ],
          },
        ],
        secret: false,
        required: false,
      },
      {
        key: 'text',
        type: 'string',
        label: 'Plain text message',
        description: 'Optional fallback message if blocks are not provided or supported',
        default: "*{person.name}* triggered event: '{event.event}'",
        secret: false,
        required: false,
      },
    ],
    type: 'destination',
    status: 'stable',
    category: ['Customer Success'],
    free: true,
    icon_url: '/static/services/slack.png',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
  {
    id: 'plugin-posthog-plugin-geoip',
    name: 'GeoIP',
    description: 'Enrich events with GeoIP data',
    code: GEOIP_CODE,
    code_language: 'hog',
    inputs_schema: [],
    type: 'transformation',
    status: 'stable',
    category: ['Custom'],
    free: true,
    icon_url: '/static/transformations/geoip.png',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
  {
    id: 'template-ip-anonymization',
    name: 'IP Anonymization',
    description: 'Sets the last octet of IPv4 addresses to 0 to protect user privacy',
    code: IP_ANONYMIZATION_CODE,
    code_language: 'hog',
    inputs_schema: [],
    type: 'transformation',
    status: 'alpha',
    category: ['Custom'],
    free: true,
    icon_url: '/static/hedgehog/builder-hog-01.png',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
  {
    id: 'template-url-masking',
    name: 'URL Masking',
    description: 'Masks the query string of URL properties such as $current_url and $referrer',
    code: URL_MASKING_CODE,
    code_language: 'hog',
    inputs_schema: [
      {
        key: 'urlProperties',
        type: 'string',
        label: 'URL properties to mask',
        description: 'Comma-separated event properties holding URLs',
        default: '$current_url, $referrer, $initial_current_url, $initial_referrer',
        secret: false,
        required: true,
      },
      { key: 'maskWith', type: 'string', label: 'Replacement for the query string', default: '(masked)', secret: false, required: true },
    ],
    type: 'transformation',
    status: 'alpha',
    category: ['Custom'],
    free: true,
    icon_url: '/static/hedgehog/builder-hog-03.png',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
  {
    // Hidden: a building block of workflows, never offered as a destination of its own; no function
    // can be created from it, and one made before that was blocked may only be disabled or deleted
    // (PostHog's nodejs/src/cdp/templates/_destinations/email/email.template.ts).
    id: 'template-email',
    name: 'Email',
    description: 'Sends an email via PostHog email service',
    code: EMAIL_CODE,
    code_language: 'hog',
    inputs_schema: [
      {
        key: 'email',
        type: 'native_email',
        label: 'Email message',
        integration: 'email',
        required: true,
        default: {
          to: { email: '{{ person.properties.email }}', name: '' },
          from: { email: '', name: '' },
          subject: '',
          preheader: '',
          text: 'Hello from PostHog!',
          html: '<div>Hi {{ person.properties.name }}, this email was sent from PostHog!</div>',
        },
        secret: false,
        description: 'The email message to send. Configure the recipient, sender, subject, and content.',
        templating: 'liquid',
      },
    ],
    type: 'destination',
    status: 'hidden',
    category: ['Custom'],
    free: false,
    icon_url: '/static/posthog-icon.svg',
    filters: null,
    masking: null,
    mapping_templates: null,
  },
];

export function findTemplate(id: string): TemplateDef | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
