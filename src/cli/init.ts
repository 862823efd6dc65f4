import { existsSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { andList } from '../kinds/index.js';
import type { EditorSupport } from '../config/editor-schemas.js';
import type { CliContext } from './context.js';
import { globalsOf } from './shared.js';

interface InitFlags {
  apiKeyEnv?: string;
  force?: boolean;
  /** false with --no-editor */
  editor: boolean;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('write hogsync.yaml (or add an environment to it) and editor settings: init --host URL --project ID [-e NAME]')
    .option(
      '--api-key-env <VAR>',
      'environment variable holding the personal API key (default POSTHOG_PERSONAL_API_KEY, or derived from an existing environment)',
    )
    .option('--force', 'replace an environment of the same name')
    .option('--no-editor', 'write no editor settings (.vscode/, .idea/) and no schema copy')
    .action(async (flags: InitFlags, cmd: Command) => {
      const g = globalsOf(cmd);
      const { findConfig, CONFIG_FILE } = await import('../config/load.js');
      const path = g.config ? resolve(ctx.io.cwd, g.config) : (findConfig(ctx.io.cwd) ?? resolve(ctx.io.cwd, CONFIG_FILE));
      const { checkHost, nonEmpty, resolveTarget, resolveWorkspace } = await import('../config/target.js');
      const exists = existsSync(path);
      const lines: string[] = [];
      // `hogsync init` in a configured repository: refresh what init writes besides environments.
      if (!(exists && g.env === undefined && g.project === undefined && g.host === undefined)) {
        const project = g.project ?? ctx.io.env.POSTHOG_PROJECT_ID;
        if (!project)
          throw new UsageError('init needs the project id: hogsync init --project <id> (the number in your PostHog URL, /project/<id>).');
        const environment = g.env ?? 'production';
        if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(environment))
          throw new UsageError(`Environment name "${environment}" must be lower-case letters, digits, "-" or "_".`);
        const host = g.host ?? nonEmpty(ctx.io.env.POSTHOG_HOST);
        // Its shape is checked before anything is written: a password in it must not reach hogsync.yaml.
        // (Plain http:// is checked below, after writing, as each later run checks it with its own flags.)
        if (host) checkHost(host, true);
        const { initConfig } = await import('../config/init.js');
        const done = initConfig({
          path,
          environment,
          project,
          force: flags.force === true,
          ...(host ? { host } : {}),
          ...(flags.apiKeyEnv ? { apiKeyEnv: flags.apiKeyEnv } : {}),
        });
        // Read it back through the normal loader so a bad --host is reported now, not at the first pull.
        const target = resolveTarget(
          resolveWorkspace({ config: path }, ctx.io.cwd),
          g.insecureHttp ? { insecureHttp: true } : {},
          { HOGSYNC_INSECURE_HTTP: ctx.io.env.HOGSYNC_INSECURE_HTTP },
          environment,
        );
        lines.push(
          `${done.created ? 'Wrote' : 'Updated'} ${path} with environment "${environment}" (${done.host}, project ${project}, key variable ${done.apiKeyEnv}).`,
        );
        if (done.inherited)
          lines.push(
            `Took ${andList(done.inherited.fields)} from environment "${done.inherited.from}"; pass --host or --api-key-env to choose others.`,
          );
        // Another environment than the files' own: a plain pull would read the home environment.
        const next = target.home
          ? '"hogsync pull"'
          : `"hogsync diff -e ${environment}" to compare it with the files${target.homeName ? `, or "hogsync copy --from ${target.homeName} --to ${environment}" to fill it` : ''}`;
        lines.push(`Next: export ${done.apiKeyEnv}=<personal API key>, then run ${next}.`);
      } else {
        lines.push(`${path} is already there; add an environment with "hogsync init -e <name> --project <id>".`);
      }
      if (flags.editor) {
        const ws = resolveWorkspace({ config: path }, ctx.io.cwd);
        const { writeEditorSupport } = await import('../config/editor-schemas.js');
        lines.push(editorSummary(writeEditorSupport(ws.root, relative(ws.root, ws.dir).split(sep).join('/'), basename(path))));
      }
      ctx.io.out(`${lines.join('\n')}\n`);
    });
}

function editorSummary(e: EditorSupport): string {
  const copies = e.changed.filter((f) => f.startsWith(`${e.schemaDir}/`));
  const changed = [
    ...(copies.length > 0 ? [`${e.schemaDir}/ (${copies.length} schema${copies.length === 1 ? '' : 's'})`] : []),
    ...e.changed.filter((f) => !copies.includes(f)),
  ];
  const files = changed.length > 0 ? `Wrote ${andList(changed)}` : 'Editor settings were up to date';
  const idea =
    e.jetbrains === 'has-other-mappings'
      ? ' .idea/jsonSchemas.xml has other mappings and was left as it is: add the ones in the README by hand.'
      : '';
  return `${files}: VS Code (YAML extension) and JetBrains IDEs check and complete hogsync.yaml and the resource files with the schemas in ${e.schemaDir}/.${idea}`;
}
