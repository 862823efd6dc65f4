// An answer larger than the limit stops with a clear error, read no further than the limit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { AmbiguousWriteError, MalformedAnswerError } from '../../src/errors.js';
import { testEmulator } from '../helpers/e2e.js';
import { failure, fastClient, httpServer } from './servers.js';

const MB = 1024 * 1024;
let emu: Emulator;

beforeAll(async () => {
  emu = await testEmulator({ seed: { projects: [{ id: 1, name: 'Huge answers' }] } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.setFaults({ padMb: 0 });
  emu.clearRequests();
});

describe('response size limit', () => {
  it('refuses an answer whose Content-Length is over the limit, without reading it or retrying', async () => {
    emu.setFaults({ padMb: 300 });
    const t0 = Date.now();
    const err = await failure(fastClient(emu.url, { maxResponseBytes: 1 * MB }).get('insight_variables/'));
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect(err.message).toContain(
      'the answer is larger than the 1 MB limit (300 MB). Trying again gets the same answer: raise the limit (HOGSYNC_MAX_RESPONSE_MB=300, in MB)',
    );
    expect(emu.requests()).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports a create whose answer is too large as ambiguous (it was committed)', async () => {
    emu.setFaults({ padMb: 3 });
    const err = await failure(
      fastClient(emu.url, { maxResponseBytes: 1 * MB }).request({
        method: 'POST',
        path: 'insight_variables/',
        body: { name: 'Big', type: 'String' },
      }),
    );
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(err.message).toContain('the answer could not be read: the answer is larger than the 1 MB limit');
    expect(emu.project(1)?.insightVariables).toHaveLength(1);
  });

  it('reads a body without Content-Length only up to the limit: a stream without end stops there, memory bounded', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, ' ');
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"count": 0, "results": []');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    try {
      const before = process.memoryUsage();
      const err = await failure(fastClient(server.url, { maxResponseBytes: 4 * MB }).get('insights/'));
      const after = process.memoryUsage();
      expect(err).toBeInstanceOf(MalformedAnswerError);
      expect(err.message).toContain(
        'the answer is larger than the 4 MB limit. Trying again gets the same answer: raise the limit (HOGSYNC_MAX_RESPONSE_MB=8, in MB)',
      );
      expect(server.hits).toBe(1);
      // Not read to the end (it has none), and not buffered beyond the limit plus socket buffers.
      expect(sent).toBeLessThan(64 * MB);
      expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * MB);
    } finally {
      await server.close();
    }
  });

  it('still reads answers under the limit (padding is valid JSON whitespace)', async () => {
    emu.setFaults({ padMb: 2 });
    expect(await fastClient(emu.url, { maxResponseBytes: 3 * MB }).get('insight_variables/')).toMatchObject({ count: 0 });
  });
});
