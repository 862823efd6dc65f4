import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCollect } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/** The demo leaves its repository for a person to look around in: here it goes in a folder the test removes, pass or fail. */
async function npmRunDemo(): Promise<{ code: number; out: string }> {
  const r = await spawnCollect('npm', ['run', '--silent', 'demo'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tempDir('demo') },
  });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('npm run demo', () => {
  it('tours init, pull --commit, edit, diff, push, drift, a copy into an empty project and a dashboard restored after a UI delete, and exits 0', async () => {
    const { code, out } = await npmRunDemo();
    expect(code, out).toBe(0);
    const narration = [
      /hogsync demo: a PostHog emulator at http:\/\/127\.0\.0\.1:\d+, a git repository at (\S+)/,
      /\$ hogsync pull --commit\n[\s\S]*Committed [0-9a-f]{12}\./,
      /\$ hogsync diff\n[\s\S]*~ spec\.name: "Weekly active users" → "Weekly active users \(all platforms\)"/,
      /\+returnEvent\.properties\.\$ip_anonymized := true/,
      /\$ hogsync push --yes\n[\s\S]*Pushed production: 0 created, 2 updated/,
      /No changes: the files and PostHog are in sync\./,
      /! drift Insight\/signup-funnel/,
      /\+ created Dashboard\/growth[\s\S]*\+ created Cohort\/enterprise-power-users[\s\S]*\+ created Alert\/signups-dropping/,
      /Copied into staging: 33 created, 0 updated, 0 adopted, 0 deleted, 0 skipped, 0 failed/,
      /Copied into staging: 0 created, 0 updated, 0 adopted, 0 deleted, 0 skipped, 0 failed \(33 unchanged\)/,
      /- posthog\/dashboards\/growth\.yaml/,
      /\$ hogsync restore HEAD~1 --yes\n[\s\S]*\^ restored Dashboard\/growth \(id 2\): undeleted in place[\s\S]*\^ restored Insight\/signup-funnel \(id \d+\): undeleted in place[\s\S]*\^ restored Alert\/signups-dropping/,
      /\+ posthog\/dashboards\/growth\.yaml[\s\S]*6 added, 0 changed, 0 removed\. Committed/,
      /Done: every step behaved as expected\. Look around in (\S+) /,
    ];
    for (const line of narration) expect(out).toMatch(line);
    const repo = /a git repository at (\S+)/.exec(out)?.[1] ?? '';
    expect(existsSync(`${repo}/posthog/insights/weekly-active-users.yaml`)).toBe(true);
    expect(out).not.toContain('fake-staging-token');
    expect(out).not.toContain('fake-demo-token');
  });
});
