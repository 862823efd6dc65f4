import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedDoc } from '../../src/emulator/index.js';
import { PostHogClient } from '../../src/posthog/client.js';
import { logs } from '../../src/posthog/function-endpoints.js';
import { TEST_KEY, testEmulator } from '../helpers/e2e.js';

/**
 * The hog-function logs endpoint reads `level` as a list (`?level=WARN&level=ERROR`,
 * LogEntryRequestSerializer in posthog/api/log_entries.py); a comma list is one value, which
 * matches no level, so a client that joins levels with commas silently gets no lines.
 */

const FN_ID = '0190b2f3-0000-7000-8000-0000000d1ff1';
const projects: SeedDoc['projects'] = [
  {
    id: 3,
    name: 'Logs',
    hog_functions: [
      {
        id: FN_ID,
        name: 'Hook 4',
        type: 'destination',
        hog: "fetch('https://example.com/4', {})",
        logs: [
          { timestamp: '-3h', level: 'info', message: 'Executing function' },
          { timestamp: '-2h', level: 'warn', message: 'Slow response' },
          { timestamp: '-1h', level: 'error', message: 'Webhook failed with status 500' },
        ],
      },
    ],
  },
];

let emu: Emulator;
beforeAll(async () => {
  emu = await testEmulator({ seed: { projects } });
});
afterAll(async () => emu.close());

describe('the logs level parameter is a list (LogEntryRequestSerializer, posthog/api/log_entries.py)', () => {
  it('a comma list is one value that matches no level; the client sends ?level=A&level=B and gets both', async () => {
    emu.reset();
    const raw = async (query: string) => {
      const res = await fetch(`${emu.url}/api/projects/3/hog_functions/${FN_ID}/logs/?${query}`, {
        headers: { Authorization: `Bearer ${TEST_KEY}` },
      });
      return ((await res.json()) as { results: Array<{ level: string }> }).results.map((l) => l.level);
    };
    expect(await raw('level=WARN,ERROR')).toEqual([]);
    expect(await raw('level=warn&level=ERROR')).toEqual(['ERROR', 'WARN']);

    const client = new PostHogClient({ host: emu.url, project: '3', apiKey: TEST_KEY });
    const got = await logs(client, { base: 'hog_functions/', bucket: 'crud' }, FN_ID, { level: ['WARN', 'ERROR'] });
    expect(got.map((l) => l.level)).toEqual(['ERROR', 'WARN']);
    const sent = emu
      .requests()
      .filter((q) => q.path.endsWith('/logs/'))
      .at(-1);
    expect(sent?.query.level).not.toContain(',');
  });
});
