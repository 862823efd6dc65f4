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

/** A PostHog API call made as the UI would make it. */
async function inTheUi(emu: Emulator, path: string, body: unknown, what: string): Promise<void> {
  const res = await fetch(`${emu.url}/api/projects/1/${path}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${DEV_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${what} failed with HTTP ${res.status}`);
}

const GROWTH_INSIGHTS = ['Signup funnel', 'Daily signups (action)', 'Upgrade conversion rate', 'Weekly retention'];

const STEPS: Step[] = [
  {
    say: 'Write hogsync.yaml for the "production" project (the emulator\'s project 1)…',
    argv: ['init', '--project', '1'],
    expect: 'done',
  },
  {
    say: '…and for "staging" (project 2, empty), with its id for the Slack workspace the demo uses: dashboards, actions and cohorts need no mapping, hogsync manages them.',
    argv: ['init', '-e', 'staging', '--project', '2'],
    expect: 'done',
    check: ({ dir }) => {
      const path = join(dir, 'hogsync.yaml');
      writeFileSync(path, `${readFileSync(path, 'utf8')}    refs:\n      integrations:\n        "4821": 5120\n`);
      return undefined;
    },
  },
  {
    say: 'Back up production: every insight, variable, hog function, dashboard (with its tiles), alert, action and cohort becomes a YAML file, committed.',
    argv: ['pull', '--commit'],
    expect: 'done',
    check: (_ctx, out) => (/Committed [0-9a-f]{12}/.test(out) ? undefined : 'pull --commit made no commit'),
  },
  {
    say: 'Edit two files, as in a pull request: rename an insight and change a transformation’s Hog code.',
    before: ({ dir }) => {
      edit(dir, 'posthog/insights/weekly-active-users.yaml', 'name: Weekly active users', 'name: Weekly active users (all platforms)');
      edit(
        dir,
        'posthog/hog-functions/ip-anonymization.yaml',
        "    returnEvent.properties.$ip := arrayStringConcat(parts, '.')",
        "    returnEvent.properties.$ip := arrayStringConcat(parts, '.')\n    returnEvent.properties.$ip_anonymized := true",
      );
    },
  },
  { say: 'The plan (exit code 2: changes to push).', argv: ['diff'], expect: 'changes' },
  { say: 'Apply it.', argv: ['push', '--yes'], expect: 'done' },
  { say: 'Files and PostHog now agree (exit code 0).', argv: ['diff'], expect: 'done' },
  {
    say: 'Someone edits an insight in the PostHog UI; diff shows it as drift (exit code 3), which a push would not overwrite.',
    before: async ({ emu }) => {
      const id = emu.project(1)?.insights.find((i) => i.name === 'Signup funnel')?.id;
      await inTheUi(emu, `insights/${id}/`, { description: 'Changed in the UI' }, 'the UI edit');
    },
    argv: ['diff'],
    expect: 'undecided',
  },
  {
    say: 'The nightly backup takes the UI edit into its file, with the pushed changes.',
    argv: ['pull', '--commit'],
    expect: 'done',
  },
  {
    say: 'Copy production into the empty staging project, live: actions and cohorts (the inner one first), dashboards, insights on them, their tiles at the same places, alerts, hog functions; every reference re-pointed, the webhook secret from the environment.',
    argv: ['copy', '--from', 'production', '--to', 'staging', '--yes'],
    env: COPY_SECRET,
    expect: 'done',
    check: ({ emu }) => {
      const staging = emu.project(2);
      const count = [
        staging?.insights,
        staging?.insightVariables,
        staging?.hogFunctions,
        staging?.dashboards,
        staging?.alerts,
        staging?.actions,
        staging?.cohorts,
      ].reduce((n, l) => n + (l?.length ?? 0), 0);
      const growth = staging?.dashboards.find((d) => d.name === 'Growth');
      const tiles = staging?.dashboardTiles.filter(
        (t) => t.dashboard_id === growth?.id && t.deleted !== true && JSON.stringify(t.layouts ?? {}) !== '{}',
      ).length;
      if (count !== 33) return `staging holds ${count} resources instead of 33`;
      return tiles === 5 ? undefined : `staging's Growth dashboard has ${tiles} laid-out tiles instead of 5`;
    },
  },
  {
    say: 'Copying again changes nothing.',
    argv: ['copy', '--from', 'production', '--to', 'staging', '--yes'],
    env: COPY_SECRET,
    expect: 'done',
  },
  {
    say: 'Someone deletes the "Growth" dashboard in the PostHog UI, with the insights on it (and so the alert on one of them); the next nightly backup records it.',
    before: async ({ emu }) => {
      const id = emu.project(1)?.dashboards.find((d) => d.name === 'Growth')?.id;
      await inTheUi(emu, `dashboards/${id}/`, { deleted: true, delete_insights: true }, 'the UI deletion');
    },
    argv: ['pull', '--commit'],
    expect: 'done',
  },
  {
    say: 'Restore the backup before it (HEAD~1), read from git: the dashboard comes back in place (same id) with its tiles, and so do its insights (same ids and short_ids, so links still work) and the alert.',
    argv: ['restore', 'HEAD~1', '--yes'],
    expect: 'done',
    check: ({ emu }) => {
      const project = emu.project(1);
      const growth = project?.dashboards.filter((d) => d.name === 'Growth') ?? [];
      const insights = project?.insights.filter((i) => GROWTH_INSIGHTS.includes(i.name ?? '')) ?? [];
      if (growth.length !== 1 || growth[0]?.deleted) return `expected the one Growth dashboard undeleted, found ${growth.length}`;
      if (insights.length !== 4 || insights.some((i) => i.deleted))
        return `expected its 4 insights undeleted, found ${insights.filter((i) => !i.deleted).length} of ${insights.length}`;
      return project?.alerts.some((a) => a.name === 'Signups dropping') ? undefined : 'the alert on "Daily signups (action)" is not back';
    },
  },
  {
    say: 'The next backup writes their files back: the work tree and PostHog agree again.',
    argv: ['pull', '--commit'],
    expect: 'done',
  },
  { say: 'Nothing left to do.', argv: ['diff'], expect: 'done' },
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
