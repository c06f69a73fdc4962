/**
 * For tests that run rnnkit in a CHILD process (Ctrl-C, a write killed midway): compiles lib/ with
 * the project's own tsc into a temporary directory once per source state and returns that directory,
 * whose `lib/` holds the ES modules (`<dir>/lib/index.js`). Nothing beyond the installed TypeScript is
 * needed, so it works offline. The build is keyed by a hash of the sources; concurrent test files
 * race harmlessly (each builds into its own directory and renames it into place).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(root, 'lib'));
  return hash.digest('hex').slice(0, 16);
}

/** The directory of a compiled copy of lib/ (`<dir>/lib/*.js`, ESM). */
export function compiledLib(): string {
  const target = join(tmpdir(), `rnnkit-test-build-${sourceHash()}`);
  if (existsSync(join(target, 'lib', 'index.js'))) return target;
  const staging = mkdtempSync(join(tmpdir(), 'rnnkit-test-staging-'));
  try {
    // tsc reports type errors in files others are still writing yet emits everything; check the output instead.
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', join(staging, 'lib'), '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'pipe' });
  } catch (err) {
    if (!existsSync(join(staging, 'lib', 'index.js'))) throw err;
  }
  writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another test file won the race
  }
  return target;
}
