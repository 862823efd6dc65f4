import { ConfigError } from '../errors.js';
import { andList, kindScopes } from '../kinds/index.js';
import { PostHogClient, type ClientOptions, type RequestEvent } from '../posthog/client.js';
import type { Target } from './target.js';

/**
 * A client for the target. The personal API key is read here, from the variable named
 * by the environment's api_key_env, and goes nowhere but the Authorization header.
 */
export function createClient(
  target: Target,
  env: NodeJS.ProcessEnv,
  opts: { onRequest?: (e: RequestEvent) => void; timeoutMs?: number } = {},
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
    pageConcurrency: target.concurrency,
  };
  if (opts.onRequest) options.onRequest = opts.onRequest;
  const envTimeout = Number(env.HOGSYNC_TIMEOUT_MS);
  const timeoutMs = opts.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout : undefined);
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  return new PostHogClient(options);
}

