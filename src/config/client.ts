import { ConfigError } from '../errors.js';
import { andList, kindScopes } from '../kinds/index.js';
import { PostHogClient, type ClientOptions, type RequestEvent, type WaitEvent } from '../posthog/client.js';
import type { Target } from './target.js';

/**
 * A client for the target. The personal API key is read here, from the variable named
 * by the environment's api_key_env, and goes nowhere but the Authorization header.
 */
export function createClient(
  target: Target,
  env: NodeJS.ProcessEnv,
  opts: {
    onRequest?: (e: RequestEvent) => void;
    onWait?: (e: WaitEvent) => void;
    timeoutMs?: number;
    redact?: (text: string) => string;
    signal?: AbortSignal;
  } = {},
): PostHogClient {
  const apiKey = env[target.apiKeyEnv]?.trim();
  if (!apiKey) {
    throw new ConfigError(
      `${target.apiKeyEnv} is not set. Set it to a PostHog personal API key with the ${andList(kindScopes())} scopes ` +
        `(PostHog → Settings → Personal API keys) for environment "${target.environment}".`,
    );
  }
  const options: ClientOptions = {
    host: target.host,
    project: target.project,
    apiKey,
    rateLimits: target.rateLimits,
    retry: { maxElapsedMs: target.maxWaitMs },
    pageConcurrency: target.concurrency,
  };
  if (opts.onRequest) options.onRequest = opts.onRequest;
  if (opts.onWait) options.onWait = opts.onWait;
  if (opts.signal) options.signal = opts.signal;
  if (opts.redact) options.redact = opts.redact;
  const timeoutMs = opts.timeoutMs ?? positive(env.HOGSYNC_TIMEOUT_MS);
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  const connectTimeoutMs = positive(env.HOGSYNC_CONNECT_TIMEOUT_MS);
  if (connectTimeoutMs !== undefined) options.connectTimeoutMs = connectTimeoutMs;
  const maxMb = positive(env.HOGSYNC_MAX_RESPONSE_MB);
  if (maxMb !== undefined) options.maxResponseBytes = Math.round(maxMb * 1024 * 1024);
  return new PostHogClient(options);
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}
