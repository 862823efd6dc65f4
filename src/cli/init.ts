import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from './main.js';
import { globalsOf } from './shared.js';

interface InitFlags {
  apiKeyEnv?: string;
  force?: boolean;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('write hogsync.yaml (or add an environment to it): init --host URL --project ID [-e NAME]')
    .option('--api-key-env <VAR>', 'environment variable holding the personal API key (default POSTHOG_PERSONAL_API_KEY)')
    .option('--force', 'replace an environment of the same name')
    .action(async (flags: InitFlags, cmd: Command) => {
      const g = globalsOf(cmd);
      const host = g.host ?? ctx.io.env.POSTHOG_HOST ?? 'https://us.posthog.com';
      const project = g.project ?? ctx.io.env.POSTHOG_PROJECT_ID;
      if (!project) throw new UsageError('init needs the project id: hogsync init --project <id> (the number in your PostHog URL, /project/<id>).');
      const environment = g.env ?? 'production';
      if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(environment)) throw new UsageError(`Environment name "${environment}" must be lower-case letters, digits, "-" or "_".`);
      const { initConfig } = await import('../config/init.js');
      const { resolveTarget, resolveWorkspace } = await import('../config/target.js');
      const root = g.config ? (await import('node:path')).dirname((await import('node:path')).resolve(ctx.io.cwd, g.config)) : ctx.io.cwd;
      const { path, created } = initConfig({ root, environment, host, project, force: flags.force === true, ...(flags.apiKeyEnv ? { apiKeyEnv: flags.apiKeyEnv } : {}) });
      // Read it back through the normal loader so a bad --host is reported now, not at the first pull.
      resolveTarget(resolveWorkspace({ config: path }, ctx.io.cwd), g.insecureHttp ? { insecureHttp: true } : {}, { HOGSYNC_INSECURE_HTTP: ctx.io.env.HOGSYNC_INSECURE_HTTP }, environment);
      ctx.io.out(`${created ? 'Wrote' : 'Updated'} ${path} with environment "${environment}" (${host}, project ${project}).\nNext: export ${flags.apiKeyEnv ?? 'POSTHOG_PERSONAL_API_KEY'}=<personal API key>, then run "hogsync pull".\n`);
    });
}
