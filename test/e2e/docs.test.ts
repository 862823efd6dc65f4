import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/e2e.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = ['init', 'pull', 'diff', 'push', 'copy', 'mv', 'import', 'validate', 'test', 'status', 'list', 'icons', 'emulator'];
const GLOBAL = ['--config', '--env', '--host', '--project', '--dir', '--verbose', '--help'];

/** Long option names in a --help text. */
function options(help: string): string[] {
  const section = help.split('Options:')[1] ?? '';
  return [...section.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1] as string).filter((o) => !GLOBAL.includes(o));
}

/** The README paragraph of a command: from **`name`** to the next command. */
function section(name: string): string {
  const start = README.indexOf(`**\`${name}\`**`);
  expect(start, `README documents ${name}`).toBeGreaterThan(-1);
  const next = README.indexOf('\n**`', start + 1);
  return README.slice(start, next < 0 ? undefined : next);
}

describe('README matches --help', () => {
  it.each(COMMANDS)('every option of "hogsync %s --help" is documented in its README section', async (command) => {
    const r = await runCli([command, '--help'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const documented = section(command);
    const listed = options(r.stdout);
    expect(listed.length, `hogsync ${command} --help lists no option`).toBeGreaterThan(0);
    for (const option of listed) expect(documented, `${command} ${option}`).toContain(option);
  });

  it('every command in "hogsync --help" is in the README', async () => {
    const r = await runCli(['--help'], { cwd: ROOT });
    const commands = [...(r.stdout.split('Commands:')[1] ?? '').matchAll(/^ {2}([a-z]+)/gm)]
      .map((m) => m[1] as string)
      .filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) expect(README).toContain(`**\`${c}\`**`);
  });

  it('the global options are in the README', () => {
    for (const flag of ['-C hogsync.yaml', '-e ENV', '--host URL', '--project ID', '--dir DIR', '--verbose'])
      expect(README).toContain(flag);
  });
});
