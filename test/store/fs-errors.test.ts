import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { FilesystemError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/store/atomic.js';
import { fromErrnoException, fsErrorMessage } from '../../src/store/fs-errors.js';
import { tempDir } from '../helpers/temp.js';

const root = tempDir('fs-errors');

function captured(): { io: Io; err: () => string } {
  let err = '';
  return { io: { out: () => undefined, err: (t) => (err += t), isTTY: false, color: false, env: {}, cwd: root }, err: () => err };
}

/** The error a real system call throws, caught. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('filesystem failures are one sentence with the file and the fix', () => {
  it.each([
    [
      'ENOSPC',
      'write',
      'Cannot write posthog/insights/x.yaml: the disk is full (ENOSPC). Free space and run again; files already written are complete and the rerun converges.',
    ],
    ['EROFS', 'write', 'Cannot write posthog/insights/x.yaml: the file system is read-only (EROFS).'],
    ['EACCES', 'write', 'Cannot write posthog/insights/x.yaml: permission denied (EACCES). Give your user write access'],
    ['EPERM', 'read', 'Cannot read posthog/insights/x.yaml: permission denied (EPERM). Give your user read access'],
    ['EISDIR', 'write', 'Cannot write posthog/insights/x.yaml: a folder with that name is in the way (EISDIR).'],
    ['EISDIR', 'read', 'Cannot read posthog/insights/x.yaml: it is a folder, not a file (EISDIR).'],
    [
      'ENOENT',
      'write',
      'Cannot write posthog/insights/x.yaml: a folder on its path does not exist or was removed while hogsync was writing (ENOENT).',
    ],
    ['EMFILE', 'open', 'Cannot open posthog/insights/x.yaml: too many open files (EMFILE). Raise the limit (ulimit -n 4096)'],
    ['ENOTDIR', 'write', 'Cannot write posthog/insights/x.yaml: a file stands where a folder of its path should be (ENOTDIR).'],
    ['EXDEV', 'write', 'Cannot write posthog/insights/x.yaml: the operating system refused (EXDEV).'],
  ] as const)('%s on %s', (code, op, expected) => {
    const message = fsErrorMessage(op, 'posthog/insights/x.yaml', code);
    expect(message.startsWith(expected)).toBe(true);
    expect(message.split(/(?<=\.) (?=[A-Z])/).length).toBeLessThanOrEqual(2);
  });

  // /dev/full and sysfs are Linux's; elsewhere the message table above still runs.
  it.runIf(process.platform === 'linux')('a real ENOSPC reaching the funnel is a sentence, not an internal error to report', () => {
    // Node gives a failed write on an open file no path; the cause and the fix still hold.
    const error = thrown(() => writeFileSync('/dev/full', 'x'));
    const { io, err } = captured();
    expect(reportError(error, io, { verbose: false, json: false })).toBe(1);
    expect(err()).toBe(
      'error: Cannot write a file: the disk is full (ENOSPC). Free space and run again; files already written are complete and the rerun converges.\n',
    );
  });

  it.runIf(process.platform === 'linux')('a real EACCES with a path reaching the funnel names the file', () => {
    // sysfs refuses new files even to root, so this holds whoever runs the tests.
    const error = thrown(() => writeFileSync('/sys/hogsync-test.yaml', 'x'));
    const { io, err } = captured();
    expect(reportError(error, io, { verbose: false, json: false })).toBe(1);
    expect(err()).toMatch(
      /^error: Cannot (open|write) \/sys\/hogsync-test\.yaml: (permission denied \(EACCES\)|the file system is read-only \(EROFS\))/,
    );
  });

  it('an atomic write names the file, not its temporary copy: a folder in the way (EISDIR), a file in the way (ENOTDIR)', () => {
    mkdirSync(join(root, 'posthog', 'insights', 'x.yaml'), { recursive: true });
    const inTheWay = thrown(() => writeFileAtomic(join(root, 'posthog', 'insights', 'x.yaml'), 'a: 1\n'));
    expect(inTheWay).toBeInstanceOf(FilesystemError);
    expect((inTheWay as FilesystemError).errno).toBe('EISDIR');
    expect((inTheWay as Error).message).toMatch(
      /^Cannot write .*posthog\/insights\/x\.yaml: a folder with that name is in the way \(EISDIR\)/,
    );

    writeFileSync(join(root, 'flat'), '');
    const notDir = thrown(() => writeFileAtomic(join(root, 'flat', 'insights', 'y.yaml'), 'a: 1\n'));
    expect((notDir as Error).message).toMatch(
      /^Cannot write .*flat\/insights\/y\.yaml: a file stands where a folder of its path should be \((ENOTDIR|EEXIST)\)/,
    );
  });

  it('git missing from PATH is named as such', () => {
    const error = Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT', syscall: 'spawn git', path: 'git' });
    expect(fromErrnoException(error)?.message).toBe(
      'Cannot run git: it is not installed or not on PATH (ENOENT). Install it, or drop the option that needs it (--commit needs git).',
    );
  });

  it('leaves errors that are not about files to the bug-report path', () => {
    const { io, err } = captured();
    reportError(new TypeError('x is not a function'), io, { verbose: false, json: false });
    expect(err()).toContain('internal error: x is not a function');
    expect(
      fromErrnoException(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1' }),
      ),
    ).toBeUndefined();
  });
});
