import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { TEST_KEY, type CliResult } from './e2e.js';

/** Runs the CLI's main() in this process with a captured Io: the real command, without the cost of a process. */
export async function runMain(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    isTTY: false,
    color: false,
    env: { NO_COLOR: '1', POSTHOG_PERSONAL_API_KEY: TEST_KEY, ...opts.env },
    cwd: opts.cwd,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
