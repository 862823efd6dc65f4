import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();

/** Records a process a test started, so that it is stopped when the test file ends, pass or fail. */
export function tracked<C extends ChildProcess>(child: C): C {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Stops every tracked process still running (a test that failed before it could). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
