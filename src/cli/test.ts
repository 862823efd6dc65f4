import type { Command } from 'commander';
import { kindWith } from '../kinds/index.js';
import type { CliContext } from './context.js';
import { endProgress, openSession, outputOption } from './shared.js';

interface TestFlags {
  event?: string;
  output: 'text' | 'json';
}

export function registerTest(program: Command, ctx: CliContext): void {
  const tested = kindWith('test');
  program
    .command('test')
    .description(`run a file of ${tested.label} (pushed or not) through PostHog's test invocation, fetches mocked (exit 1 on error)`)
    .argument('<file>', `a file under ${tested.folder}/, e.g. posthog/${tested.folder}/webhook.yaml`)
    .option('--event <file>', 'JSON event (or globals {event, person}) to run it on; default: a realistic sample')
    .addOption(outputOption(['text', 'json'], 'text'))
    .action(async (file: string, flags: TestFlags, cmd: Command) => {
      const session = await openSession(ctx, cmd);
      const { runHogTest } = await import('../engine/test-run.js');
      const run = await runHogTest({
        ...session,
        redactor: ctx.redactor,
        env: ctx.io.env,
        cwd: ctx.io.cwd,
        file,
        ...(flags.event ? { eventFile: flags.event } : {}),
      });
      endProgress(ctx.io);
      const inv = run.invocation;
      if (flags.output === 'json') ctx.io.out(`${JSON.stringify({ key: run.key, id: run.id, ...inv }, null, 2)}\n`);
      else {
        const lines = [`${run.kind}/${run.key}: ${inv.status}${run.id === 'new' ? ' (not pushed yet: run as a new function)' : ''}`];
        if (inv.result !== null && inv.result !== undefined) lines.push(`result: ${JSON.stringify(inv.result)}`);
        for (const e of inv.errors ?? []) lines.push(`error: ${e}`);
        if ((inv.logs ?? []).length > 0) lines.push('logs:');
        for (const l of inv.logs ?? []) lines.push(`  ${l.timestamp}  ${l.level.toUpperCase().padEnd(5)}  ${l.message}`);
        ctx.io.out(`${lines.join('\n')}\n`);
      }
      if (inv.status === 'error') ctx.conclude('failed');
    });
}
