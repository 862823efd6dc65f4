// Small stand-in servers for what the emulator cannot be: a host on another origin, one that
// never answers, one that resets connections or streams without end. All on loopback.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { PostHogClient, type ClientOptions } from '../../src/posthog/client.js';
import { TEST_KEY } from '../helpers/e2e.js';

export interface TestServer {
  url: string;
  port: number;
  /** HTTP requests (or TCP connections, for raw servers) received so far. */
  hits: number;
  close(): Promise<void>;
}

/** Listens on a free loopback port; close() also ends every open connection. */
async function serve(server: NetServer, sockets: Set<Socket>, state: { hits: number }): Promise<TestServer> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, hit: number) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { hits: 0 };
  const server = createHttpServer((req, res) => handler(req, res, ++state.hits));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return serve(server, sockets, state);
}

/** Accepts TCP connections and never sends a byte (nor completes a TLS handshake). */
export async function silentServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { hits: 0 };
  const server = createTcpServer((s) => {
    state.hits++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  return serve(server, sockets, state);
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** A client with fast retries, for tests. */
export function fastClient(host: string, extra: Partial<ClientOptions> = {}): PostHogClient {
  return new PostHogClient({ host, project: '1', apiKey: TEST_KEY, retry: { baseDelayMs: 2, maxDelayMs: 10, maxAttempts: 3 }, ...extra });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}
