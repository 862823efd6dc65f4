import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests run the built CLI (bin/hogsync.js → dist/), and every test checks files with
 * the validators compiled from schemas/ into dist/schemas/: build once per run, as `npm run build` does.
 */
export default function setup(): void {
  if (process.env.HOGSYNC_SKIP_BUILD) return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [`${root}dist/store/compile-schemas.js`], { cwd: root, stdio: 'inherit' });
}
