import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Outcome } from '../model.js';
import { DEV_API_KEY, demoSeedPath, startEmulator, type Emulator } from '../emulator/index.js';

/** Where the tour writes: the CLI's Io, or anything shaped like it. */
export interface TourIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Runs hogsync in-process with the given argv, cwd and environment; returns the exit code. */
export type RunCommand = (argv: string[], io: TourIo) => Promise<number>;

interface Step {
  say: string;
  argv?: string[];
  /** How the step must end (its exit code follows from it). */
  expect?: Outcome;
  /** Work done before the command (edits, changes made "in the UI"). */
  before?: (ctx: TourContext) => Promise<void> | void;
  /** Extra check of what the command did. */
  check?: (ctx: TourContext, output: string) => string | undefined;
  env?: Record<string, string>;
}

interface TourContext {
  dir: string;
  emu: Emulator;
}

/** The secret the webhook needs in the target project of the copy (a copy cannot read it from the source). */
const COPY_SECRET = { HOGSYNC_SECRET_NOTIFY_CRM_OF_SIGNUPS_AUTH_HEADER: 'Bearer fake-staging-token' };

const STEPS: Step[] = [
  {
    say: 'Write hogsync.yaml for the "production" project (the emulator\'s project 1)…',
    argv: ['init', '--project', '1'],
    expect: 'done',
  },
  {
    say: '…and for "staging" (project 2, empty), with its ids for the action and the Slack integration the demo uses.',
    argv: ['init', '-e', 'staging', '--project', '2'],
    expect: 'done',
    check: ({ dir }) => {
      const path = join(dir, 'hogsync.yaml');
      writeFileSync(path, `${readFileSync(path, 'utf8')}    refs:\n      actions:\n        "1": 11\n      integrations:\n        "4821": 5120\n`);
      return undefined;
    },
  },
  {
    say: 'Back up production: every insight, variable and hog function becomes a YAML file, committed.',
    argv: ['pull', '--commit'],
    expect: 'done',
    check: (_ctx, out) => (/Committed [0-9a-f]{12}/.test(out) ? undefined : 'pull --commit made no commit'),
  },
  {
    say: 'Edit two files, as in a pull request: rename an insight and change a transformation’s Hog code.',
    before: ({ dir }) => {
      edit(dir, 'posthog/insights/weekly-active-users.yaml', 'name: Weekly active users', 'name: Weekly active users (all platforms)');
      edit(dir, 'posthog/hog-functions/ip-anonymization.yaml', "    returnEvent.properties.$ip := arrayStringConcat(parts, '.')", "    returnEvent.properties.$ip := arrayStringConcat(parts, '.')\n    returnEvent.properties.$ip_anonymized := true");
    },
  },
  { say: 'The plan (exit code 2: changes to push).', argv: ['diff'], expect: 'changes' },
  { say: 'Apply it.', argv: ['push', '--yes'], expect: 'done' },
  { say: 'Files and PostHog now agree (exit code 0).', argv: ['diff'], expect: 'done' },
  {
    say: 'Someone edits an insight in the PostHog UI; diff shows it as drift (exit code 3), which a push would not overwrite.',
    before: async ({ emu }) => {
      const id = emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.id;
      const res = await fetch(`${emu.url}/api/projects/1/insights/${id}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${DEV_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: 'Changed in the UI' }),
      });
      if (!res.ok) throw new Error(`the UI edit failed with HTTP ${res.status}`);
    },
    argv: ['diff'],
    expect: 'undecided',
  },
  {
    say: 'Copy production into staging, live: variables first, references re-pointed, the webhook secret from the environment.',
    argv: ['copy', '--from', 'production', '--to', 'staging', '--yes'],
    env: COPY_SECRET,
    expect: 'done',
    check: ({ emu }) => {
      const staging = emu.project(2);
      const count = (staging?.insights.length ?? 0) + (staging?.insightVariables.length ?? 0) + (staging?.hogFunctions.length ?? 0);
      return count === 22 ? undefined : `staging holds ${count} resources instead of 22`;
    },
  },
  { say: 'Copying again changes nothing.', argv: ['copy', '--from', 'production', '--to', 'staging', '--yes'], env: COPY_SECRET, expect: 'done' },
  {
    say: 'Someone deletes the "Weekly retention" insight in the PostHog UI; the next nightly backup records the deletion.',
    before: async ({ emu }) => {
      const id = emu.project(1)?.insights.find((i) => i.name === 'Weekly retention')?.id;
      const res = await fetch(`${emu.url}/api/projects/1/insights/${id}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${DEV_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ deleted: true }),
      });
      if (!res.ok) throw new Error(`the UI deletion failed with HTTP ${res.status}`);
    },
    argv: ['pull', '--commit'],
    expect: 'done',
  },
  {
    say: 'Restore it from the first backup (HEAD~1), read from git: it comes back in place, with the same id and short_id, so links to it still work.',
    argv: ['restore', 'HEAD~1', '--yes', 'insight/weekly-retention'],
    expect: 'done',
    check: ({ emu }) => {
      const all = emu.project(1)?.insights.filter((i) => i.name === 'Weekly retention') ?? [];
      return all.length === 1 && !all[0]?.deleted ? undefined : `expected the one insight undeleted, found ${all.length} (deleted: ${all.map((i) => i.deleted).join(', ')})`;
    },
  },
];

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain "${from}"`);
  writeFileSync(path, text.replace(from, to));
}

/**
 * The main jobs of hogsync, end to end, on the embedded emulator: no account, no network.
 * Each step says what it shows, runs the real command and checks its outcome; the tour
 * fails (exit 1) at the first step that does not behave as expected.
 */
export async function runDemoTour(io: TourIo, run: RunCommand, exitCodeOf: (outcome: Outcome) => number): Promise<Outcome> {
  const emu = await startEmulator({ seed: demoSeedPath(), rateLimits: { enabled: false } });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'hogsync-demo-'));
    const git = simpleGit({ baseDir: dir });
    await git.init();
    await git.addConfig('user.name', 'hogsync demo');
    await git.addConfig('user.email', 'demo@example.com');
    io.out(`hogsync demo: a PostHog emulator at ${emu.url}, a git repository at ${dir}\n`);
    const env: NodeJS.ProcessEnv = { ...io.env, POSTHOG_PERSONAL_API_KEY: DEV_API_KEY, POSTHOG_HOST: emu.url, NO_COLOR: '1' };
    delete env.POSTHOG_PROJECT_ID;
    const ctx: TourContext = { dir, emu };
    for (const [n, step] of STEPS.entries()) {
      io.out(`\n${n + 1}. ${step.say}\n`);
      await step.before?.(ctx);
      if (!step.argv) continue;
      io.out(`   $ hogsync ${step.argv.join(' ')}\n`);
      let output = '';
      const indent = (text: string) => text.replace(/^(?=.)/gm, '     ');
      const stepIo: TourIo = {
        ...io,
        cwd: dir,
        env: { ...env, ...step.env },
        isTTY: false,
        color: false,
        out: (t) => {
          output += t;
          io.out(indent(t));
        },
        err: (t) => {
          output += t;
          io.out(indent(t));
        },
      };
      // Only `init` may take the host from POSTHOG_HOST: the others read hogsync.yaml like a user's would.
      if (step.argv[0] !== 'init') delete stepIo.env.POSTHOG_HOST;
      const code = await run(step.argv, stepIo);
      const wanted = exitCodeOf(step.expect ?? 'done');
      const problem = code !== wanted ? `exited ${code}, expected ${wanted}` : step.check?.(ctx, output);
      if (problem) {
        io.err(`\ndemo failed at step ${n + 1} (hogsync ${step.argv.join(' ')}): ${problem}\n`);
        return 'failed';
      }
    }
    io.out(`\nDone: every step behaved as expected. Look around in ${dir} (git log, posthog/, .hogsync/state/).\n`);
    return 'done';
  } finally {
    await emu.close();
  }
}
