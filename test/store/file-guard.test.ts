import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileError, InvalidFilesError } from '../../src/errors.js';
import { kindByName } from '../../src/kinds/index.js';
import { checkNoLinks, maxFileBytes, readRegularFile } from '../../src/store/file-guard.js';
import { cleanResourceDirs, readAllResources, readResourceFile } from '../../src/store/resource-files.js';
import { readCandidates } from '../../src/store/validate.js';
import { tempDir } from '../helpers/temp.js';

const insight = kindByName('Insight');
const SECRET = 'outside-the-repository-secret-4711';
let base: string;
let root: string;
let outside: string;
let server: Server | undefined;

const VALID = 'apiVersion: hogsync/v1\nkind: Insight\nkey: ok\nspec:\n  name: OK\n';

beforeAll(async () => {
  base = tempDir('guard');
  root = join(base, 'repo');
  outside = join(base, 'outside.yaml');
  writeFileSync(outside, `apiVersion: hogsync/v1\nkind: Insight\nkey: leak\nspec:\n  name: ${SECRET}\n`);
  const folder = join(root, 'posthog', 'insights');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'ok.yaml'), VALID);
  symlinkSync(outside, join(folder, 'leak.yaml'));
  symlinkSync('/dev/zero', join(folder, 'zero.yaml'));
  execFileSync('mkfifo', [join(folder, 'pipe.yaml')]);
  mkdirSync(join(folder, 'folder.yaml'));
  const socket = createServer();
  server = socket;
  await new Promise<void>((resolve) => socket.listen(join(folder, 'socket.yaml'), resolve));
});
afterAll(async () => {
  const socket = server;
  if (socket) await new Promise((resolve) => socket.close(resolve));
});

const problem = (fn: () => unknown): FileError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FileError) return error;
    throw error;
  }
  throw new Error('expected a FileError');
};

describe('only regular files inside the repository are read', () => {
  it('reads a regular file', () => {
    expect(readRegularFile(join(root, 'posthog/insights/ok.yaml'), 'ok.yaml')).toBe(VALID);
    expect(readResourceFile(join(root, 'posthog/insights/ok.yaml'), insight, root).spec).toEqual({ name: 'OK' });
  });

  it.each([
    ['leak.yaml', /^is a symbolic link; hogsync reads only regular files/],
    ['zero.yaml', /^is a symbolic link/],
    ['pipe.yaml', /^is a named pipe \(FIFO\), not a regular file; hogsync does not open it/],
    ['socket.yaml', /^is a socket, not a regular file/],
    ['folder.yaml', /^is a folder, not a regular file/],
  ])('refuses %s without opening it (a FIFO would block, /dev/zero would never end)', (name, message) => {
    const error = problem(() => readResourceFile(join(root, 'posthog/insights', name), insight, root));
    expect(error.where).toBe(`posthog/insights/${name}`);
    expect(error.problem).toMatch(message);
    expect(error.message).not.toContain(SECRET);
  });

  it('a character device is refused by type too', () => {
    expect(problem(() => readRegularFile('/dev/null', '/dev/null')).problem).toMatch(/^is a character device, not a regular file/);
  });

  it('diff, push and pull (the reader) and validate list every refused entry, and never the content behind a link', () => {
    let all: InvalidFilesError | undefined;
    try {
      readAllResources(join(root, 'posthog'), [insight], root);
    } catch (error) {
      all = error as InvalidFilesError;
    }
    expect(all).toBeInstanceOf(InvalidFilesError);
    expect(all?.lines.map((l) => l.split(':')[0])).toEqual([
      'posthog/insights/folder.yaml',
      'posthog/insights/leak.yaml',
      'posthog/insights/pipe.yaml',
      'posthog/insights/socket.yaml',
      'posthog/insights/zero.yaml',
    ]);
    expect(all?.message).not.toContain(SECRET);

    const read = readCandidates(join(root, 'posthog'), [insight], root);
    expect(read.files.map((f) => f.display)).toEqual(['posthog/insights/ok.yaml']);
    expect(read.problems).toHaveLength(5);
    expect(JSON.stringify(read)).not.toContain(SECRET);

    // Before the first request, the same entries are refused by the preparation of the folders.
    expect(() => cleanResourceDirs(join(root, 'posthog'), [insight], root)).toThrow(/posthog\/insights\/pipe\.yaml: is a named pipe/);
  });

  it('refuses a file above the size limit before reading it, and says how to raise the limit', () => {
    const path = join(base, 'big.yaml');
    writeFileSync(path, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    expect(maxFileBytes({})).toBe(5 * 1024 * 1024);
    expect(problem(() => readRegularFile(path, 'big.yaml')).problem).toMatch(
      /^is 5 MB, above the 5 MB limit for one file; .* raise HOGSYNC_MAX_FILE_MB/,
    );
    expect(readRegularFile(path, 'big.yaml', maxFileBytes({ HOGSYNC_MAX_FILE_MB: '6' }))).toHaveLength(5 * 1024 * 1024 + 3);
  });

  it('refuses a resource folder that is a symbolic link, and one on the way to it', () => {
    const repo = join(base, 'linked');
    mkdirSync(join(repo, 'posthog'), { recursive: true });
    mkdirSync(join(base, 'elsewhere', 'insights'), { recursive: true });
    writeFileSync(join(base, 'elsewhere', 'insights', 'x.yaml'), VALID);
    symlinkSync(join(base, 'elsewhere', 'insights'), join(repo, 'posthog', 'insights'));
    expect(() => readAllResources(join(repo, 'posthog'), [insight], repo)).toThrow(
      /^posthog\/insights: is a symbolic link; resource folders must be real folders/,
    );
    // Nothing behind the link is touched, not even a killed run's temporary file.
    const stale = join(base, 'elsewhere', 'insights', 'x.yaml.1.ab.hogsync-tmp');
    writeFileSync(stale, '');
    expect(() => cleanResourceDirs(join(repo, 'posthog'), [insight], repo)).toThrow(/^posthog\/insights: is a symbolic link/);
    expect(existsSync(stale)).toBe(true);
    symlinkSync(join(base, 'elsewhere'), join(repo, 'conf'));
    expect(() => checkNoLinks(repo, join(repo, 'conf', 'insights'), (p) => p.slice(repo.length + 1))).toThrow(/^conf: is a symbolic link/);
    expect(() => checkNoLinks(repo, join(repo, 'missing', 'insights'), (p) => p)).not.toThrow();
  });
});
