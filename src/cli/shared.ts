import { Option, type Command } from 'commander';
import type { GlobalFlags, Target, Workspace } from '../config/target.js';
import { UsageError } from '../errors.js';
import { KINDS, kindNames, selectKinds, type KindDef } from '../kinds/index.js';
import type { PostHogClient, RequestEvent, WaitEvent } from '../posthog/client.js';
import type { Io } from './io.js';
import type { Plan } from '../plan/diff.js';
import type { CliContext } from './context.js';

export interface Session {
  ws: Workspace;
  target: Target;
  client: PostHogClient;
  /** A line for the user that is not an error, on stderr. */
  note: (line: string) => void;
}

export function globalsOf(cmd: Command): GlobalFlags & { verbose?: boolean } {
  return cmd.optsWithGlobals() as GlobalFlags & { verbose?: boolean };
}

/**
 * Workspace, target and a client for the command's environment (or `environment` when given).
 * The HTTP stack is loaded here, and starts loading what the first request needs, before the
 * command reads any file: it loads while the files are read, not after.
 */
export async function openSession(ctx: CliContext, cmd: Command, environment?: string): Promise<Session> {
  const flags = globalsOf(cmd);
  const [{ resolveTarget, resolveWorkspace }, { rateMemory }, createClient] = await Promise.all([
    import('../config/target.js'),
    import('../store/rate-memory.js'),
    ctx.createClient ?? import('../config/client.js').then((m) => m.createClient),
  ]);
  const ws = resolveWorkspace(flags, ctx.io.cwd);
  const target = resolveTarget(ws, flags, ctx.io.env, environment);
  const onRequest = flags.verbose ? verboseLogger(ctx.io) : ctx.progress.track(cmd.name(), target.environment, KINDS);
  ctx.redactor.register(ctx.io.env[target.apiKeyEnv]);
  const onWait = (e: WaitEvent) => ctx.progress.waiting(e);
  const client = createClient(target, ctx.io.env, { redact: (text) => ctx.redactor.redact(text), onRequest, onWait, signal: ctx.signal });
  client.warm();
  ctx.clients.push(client);
  // PostHog counts a key's requests across runs: start with those of recent runs, leave ours for the
  // next. Only in a hogsync checkout: a one-off `list --host …` run elsewhere leaves no files behind.
  if (ws.config) {
    const memory = rateMemory(ws.root, target.host, ctx.io.env[target.apiKeyEnv]?.trim() ?? '');
    client.limiter.remember(memory.read());
    ctx.atEnd.push(() => memory.write(client.limiter.history(), client.limiter.horizonMs));
  }
  const note = (line: string) => {
    endProgress(ctx.io);
    ctx.io.err(`note: ${line}\n`);
  };
  return { ws, target, client, note };
}

export function kindsOption(note = ''): Option {
  return new Option('--kinds <kinds>', `only these kinds, comma-separated (${kindNames()})${note}`);
}

export function parseKinds(value: string | undefined): KindDef[] {
  return selectKinds(value ? [value] : undefined);
}

export function outputOption(choices: string[], fallback: string): Option {
  return new Option('-o, --output <format>', 'output format').choices(choices).default(fallback);
}

export function parsePositiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number of at least 1 (got "${value}").`);
    return n;
  };
}

/** One line per request on stderr; the key is never part of a RequestEvent. */
function verboseLogger(io: Io): (e: RequestEvent) => void {
  return (e) =>
    io.err(
      `${e.method} ${e.path} → ${e.status} in ${e.ms} ms${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.willRetry ? ', retrying' : ''}\n`,
    );
}

/** Clears the progress line before normal output. */
export function endProgress(io: Io): void {
  if (io.isTTY) io.err('\r\x1b[2K');
}

/**
 * The question a writing command asks before its first write, with the plan shown: on a
 * terminal only; elsewhere --yes is required (CI has nobody to answer).
 */
export function confirmPlan(ctx: CliContext, command: string, question: (plan: Plan) => string): (plan: Plan) => Promise<boolean> {
  return async (plan) => {
    if (!ctx.io.isTTY || !ctx.io.prompt) {
      throw new UsageError(
        `${command} changes PostHog and needs confirmation: run it in a terminal, or pass --yes (after checking the plan with --dry-run).`,
      );
    }
    endProgress(ctx.io);
    const { RENDERERS } = await import('../plan/renderers/index.js');
    ctx.io.err(RENDERERS.text(plan, { color: ctx.io.color }));
    return /^y(es)?$/i.test((await ctx.io.prompt(question(plan), ctx.signal)).trim());
  };
}

/** Problems of files PostHog holds as they are (Plan.warnings), one line each on stderr: the run went on. */
export function warnHeld(ctx: CliContext, plan: Plan): void {
  if (!plan.warnings?.length) return;
  endProgress(ctx.io);
  for (const w of plan.warnings) ctx.io.err(`warning: ${w}\n`);
}

/** --no-validate says what it skips, every time it is used. */
export function warnUnchecked(ctx: CliContext, validate: boolean | undefined): void {
  if (validate === false)
    ctx.io.err(
      'warning: files not checked (--no-validate): schemas, unknown fields, Hog and HogQL syntax, references between files and literal secrets.\n',
    );
}

/** A command's JSON document with the waits of a second or more its clients made: what was throttled or retried, and until when. */
export function withWaits<T extends object>(
  doc: T,
  ctx: CliContext,
): T & { waits?: Array<{ reason: string; bucket?: string; request: string; until: string }> } {
  const waits = ctx.clients
    .flatMap((c) => c.waits)
    .map((w) => ({
      reason: w.reason,
      ...(w.bucket ? { bucket: w.bucket } : {}),
      request: `${w.method} ${w.path}`,
      until: new Date(w.until).toISOString(),
    }));
  return waits.length > 0 ? { ...doc, waits } : doc;
}
