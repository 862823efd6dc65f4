// fetch with a connect timeout. Node's built-in fetch is undici, but it does not let a caller set
// how long connecting (TCP + TLS) may take: that needs undici's Agent, which Node does not export,
// hence the `undici` dependency (the major version Node 20 bundles, so fetch behaves the same).

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export interface Transport {
  fetch: typeof fetch;
  /**
   * Starts loading undici (about 40 ms) without waiting for it: a command calls it before it
   * reads its files, so that the first request does not wait for the module. Commands that
   * never reach PostHog make no client, and so never load it.
   */
  warm(): void;
}

/** A fetch whose connections give up after `connectTimeoutMs` (UND_ERR_CONNECT_TIMEOUT). */
export function connectTimeoutTransport(connectTimeoutMs: number): Transport {
  let loaded: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { timeout: connectTimeoutMs } });
    // undici's RequestInit and Response are structurally those of the global fetch, but declared
    // by another copy of its type definitions, so TypeScript cannot see that they match.
    const connecting = (input: string | URL, init?: RequestInit) =>
      undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
    return connecting as unknown as typeof fetch;
  };
  return {
    fetch: (async (input: string | URL, init?: RequestInit) => {
      loaded ??= load();
      return (await loaded)(input, init);
    }) as typeof fetch,
    warm: () => {
      loaded ??= load();
      // A failed load is the first request's error (it awaits the same promise), not an unhandled rejection here.
      loaded.catch(() => undefined);
    },
  };
}
