import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { TEST_KEY, testEmulator, workspace, type Workspace } from '../helpers/e2e.js';

/**
 * Something in front of PostHog (a misrouted load balancer, a hijacked DNS name, a proxy) answers
 * with a redirect to another server. Following it would hand that server the API key, and the
 * body of a write; following a GET to a server that answers "no insights" would make pull delete
 * every file. hogsync follows none of it: the other server hears nothing, the run stops with one
 * sentence, no file is deleted.
 */

interface Heard {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Another server, which records what reaches it and answers every GET with an empty list page. */
async function otherServer(): Promise<{ url: string; heard: Heard[]; close(): Promise<void> }> {
  const heard: Heard[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      heard.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ count: 0, next: null, previous: null, results: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heard,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let emu: Emulator;
let demo: SeedDoc;
let other: Awaited<ReturnType<typeof otherServer>>;
beforeAll(async () => {
  demo = await loadSeed(demoSeedPath());
  emu = await testEmulator({ seed: demo });
  other = await otherServer();
});
afterAll(async () => {
  await emu.close();
  await other.close();
});
beforeEach(() => {
  emu.reset(demo);
  emu.setFaults({ redirect: null });
  other.heard.length = 0;
});

async function pulled(): Promise<Workspace> {
  const ws = await workspace(emu);
  const r = await ws.run(['pull', '--commit']);
  expect(r.code, r.stderr).toBe(0);
  return ws;
}

/** Whatever reached the other server must carry neither the key nor a body. */
function leaked(): Heard[] {
  return other.heard.filter((h) => h.body !== '' || JSON.stringify(h.headers).includes(TEST_KEY) || h.headers.authorization !== undefined);
}

describe('redirects to another server', () => {
  it.each([307, 308])('%i on POST and PATCH: push sends nothing there and stops with one sentence', async (status) => {
    const ws = await pulled();
    const [edited] = ws.files('posthog/insights');
    ws.write(`posthog/insights/${edited}`, ws.read(`posthog/insights/${edited}`).replace(/^ {2}name: (.*)$/m, '  name: $1 (edited)'));
    for (let i = 0; i < 6; i++) {
      ws.write(
        `posthog/insights/new-${i}.yaml`,
        `apiVersion: hogsync/v1\nkind: Insight\nkey: new-${i}\nspec:\n  name: New ${i}\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n`,
      );
    }
    emu.setFaults({ redirect: { status, to: other.url, methods: ['POST', 'PATCH'] } });
    emu.clearRequests();
    const push = await ws.run(['push', '--yes', '--concurrency', '1']);
    expect(push.code).toBe(1);
    expect(other.heard).toEqual([]);
    // One write met the redirect; the others were not sent after it.
    const writes = emu.requests().filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(1);
    const sentences = `${push.stdout}${push.stderr}`.split('\n').filter((l) => l.includes('redirected'));
    expect(sentences).toHaveLength(1);
    expect(sentences[0]).toContain(`(${status})`);
    expect(sentences[0]).toContain(other.url);
    expect(push.stdout + push.stderr).not.toContain(TEST_KEY);
  });

  // A real process: a rejection nobody awaited yet would crash it (with a stack trace) where an in-process run only warns.
  it('302 on GET to a server that answers an empty list: pull follows nothing and deletes no file', async () => {
    const ws = await pulled();
    const before = ws.files('posthog/insights');
    expect(before.length).toBeGreaterThan(0);
    emu.setFaults({ redirect: { status: 302, to: other.url, methods: ['GET'] } });
    for (const args of [['pull'], ['pull', '--commit'], ['pull', '--force']]) {
      const pull = await ws.spawn(args);
      expect(pull.code, args.join(' ')).toBe(1);
      expect(pull.stdout).toBe('');
      expect(pull.stderr).toMatch(/^error: PostHog redirected GET \S+ to http:\/\/127\.0\.0\.1:\d+\S* \(302\), another origin[^\n]*\n$/);
      expect(ws.files('posthog/insights')).toEqual(before);
    }
    expect((await ws.git.status()).isClean()).toBe(true);
    expect(leaked()).toEqual([]);
    expect(other.heard).toEqual([]);
  });

  // The listing fails while the files are still being read: the failure must wait for its turn, not crash.
  it('the same with 3,000 files to read: one sentence, not a crash', async () => {
    const ws = await workspace(emu);
    mkdirSync(join(ws.dir, 'posthog/insights'), { recursive: true });
    for (let i = 0; i < 3000; i++)
      ws.write(`posthog/insights/f-${i}.yaml`, `apiVersion: hogsync/v1\nkind: Insight\nkey: f-${i}\nspec:\n  name: F ${i}\n`);
    emu.setFaults({ redirect: { status: 302, to: other.url, methods: ['GET'] } });
    const pull = await ws.spawn(['pull']);
    expect(pull.stderr).toMatch(/^error: PostHog redirected GET \S+ to http:\/\/127\.0\.0\.1:\d+\S* \(302\), another origin[^\n]*\n$/);
    expect(pull.code).toBe(1);
    expect(ws.files('posthog/insights')).toHaveLength(3000);
    expect(other.heard).toEqual([]);
  });
});
