// fetch with a connect timeout. Node's built-in fetch is undici, but it does not let a caller set
// how long connecting (TCP + TLS) may take: that needs undici's Agent, which Node does not export,
// hence the `undici` dependency (the major version Node 20 bundles, so fetch behaves the same).

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * A fetch whose connections give up after `connectTimeoutMs` (UND_ERR_CONNECT_TIMEOUT). undici is
 * loaded on the first request (about 60 ms), so commands that never reach PostHog do not pay for it.
 */
export function fetchWithConnectTimeout(connectTimeoutMs: number): typeof fetch {
  let loaded: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { timeout: connectTimeoutMs } });
    // undici's RequestInit and Response are structurally those of the global fetch, but declared
    // by another copy of its type definitions, so TypeScript cannot see that they match.
    const connecting = (input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
    return connecting as unknown as typeof fetch;
  };
  return (async (input: string | URL, init?: RequestInit) => {
    loaded ??= load();
    return (await loaded)(input, init);
  }) as typeof fetch;
}
