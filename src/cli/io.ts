/** Where a command writes. Injected so tests never patch `console`. */
export interface Io {
  /** Human or machine output (stdout). */
  out(text: string): void;
  /** Progress, warnings and errors (stderr). */
  err(text: string): void;
  /** stderr is a terminal: progress bars and prompts are allowed. */
  isTTY: boolean;
  /** Width of the terminal on stderr, when it is one (the progress line is cut to fit). */
  columns?: number;
  /** Colour is wanted on stdout (a TTY and no NO_COLOR). */
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Reads one line from the terminal; undefined when there is none. Gives up (rejects) when `signal` aborts. */
  prompt?(question: string, signal?: AbortSignal): Promise<string>;
}

export function processIo(): Io {
  const env = process.env;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY) && Boolean(process.stdin.isTTY),
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    color: Boolean(process.stdout.isTTY) && !noColor && env.TERM !== 'dumb',
    env,
    cwd: process.cwd(),
    prompt: async (question, signal) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      // The terminal is in raw mode while readline reads: Ctrl-C arrives as a key, not as SIGINT.
      // Sent as the signal, it stops the run as Ctrl-C does anywhere else.
      rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
      try {
        return await rl.question(question, signal ? { signal } : {});
      } finally {
        rl.close();
      }
    },
  };
}
