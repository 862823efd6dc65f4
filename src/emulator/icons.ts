// `hog_functions/icons` and `hog_functions/icon` (posthog/cdp/services/icons.py). The real API
// searches logo.dev; the emulator knows a small fixed list and draws a flat-colour PNG per domain.
import { deflateSync } from 'node:zlib';
import { json, type ApiRequest, type ApiResponse } from './context.js';
import { fail, notFound } from './errors.js';
import { shortHash } from './ids.js';
import type { Route } from './router.js';

const ICONS: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'slack.com', name: 'Slack' },
  { id: 'hubspot.com', name: 'HubSpot' },
  { id: 'github.com', name: 'GitHub' },
  { id: 'stripe.com', name: 'Stripe' },
  { id: 'google.com', name: 'Google' },
  { id: 'salesforce.com', name: 'Salesforce' },
  { id: 'zendesk.com', name: 'Zendesk' },
  { id: 'intercom.com', name: 'Intercom' },
  { id: 'discord.com', name: 'Discord' },
  { id: 'mailchimp.com', name: 'Mailchimp' },
  { id: 'segment.com', name: 'Segment' },
  { id: 'linear.app', name: 'Linear' },
  { id: 'notion.so', name: 'Notion' },
  { id: 'posthog.com', name: 'PostHog' },
];

const ICON_URL_BASE = '/api/projects/@current/hog_functions/icon/?id=';

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 32×32 RGB PNG in one colour derived from the domain. */
function iconPng(domain: string, size = 32): Buffer {
  const [r, g, b] = Buffer.from(shortHash(`icon:${domain}`, 6), 'hex');
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3).map((_, i) => [r, g, b][i % 3] as number)]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function icons(req: ApiRequest): ApiResponse {
  const query = req.url.searchParams.get('query')?.toLowerCase();
  if (!query) return json(200, []);
  const found = ICONS.filter((i) => i.name.toLowerCase().includes(query) || i.id.includes(query));
  return json(
    200,
    found.map((i) => ({ id: i.id, name: i.name, url: `${ICON_URL_BASE}${i.id}` })),
  );
}

function icon(req: ApiRequest): ApiResponse {
  const id = req.url.searchParams.get('id');
  if (!id) fail([], 'id is required');
  if (!ICONS.some((i) => i.id === id)) throw notFound();
  return { status: 200, body: iconPng(id), contentType: 'image/png' };
}

export const iconRoutes: Route[] = [
  {
    path: 'hog_functions/icons',
    scope: 'hog_function',
    bucket: 'crud',
    methods: { GET: { action: 'icons', write: false, handler: icons } },
  },
  { path: 'hog_functions/icon', scope: 'hog_function', bucket: 'crud', methods: { GET: { action: 'icon', write: false, handler: icon } } },
];
