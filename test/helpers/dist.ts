/**
 * The compiled package for tests that use it as a user does, in child processes: through its entry
 * points (`import`/`require('rnnkit')`, which resolve to dist/ by the package's self-reference) or
 * its `rnnkit` command (dist/cli/main.js).
 *
 * ensureBuilt() runs scripts/build.mjs when any source (lib/, the tsconfigs, the build script) is
 * newer than the build, so these tests never run stale JavaScript; test files running in parallel
 * share one build through a lock directory. Type errors elsewhere in lib/ do not stop the tests
 * (tsc still writes the JavaScript); they are reported by the type-check step of `npm test`.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/backend/addon.js';

export const root = packageRoot();
export const cliPath = join(root, 'dist', 'cli', 'main.js');

const OUTPUTS = ['dist/index.js', 'dist/cli/main.js', 'dist/cjs/index.js', 'dist/cjs/require.cjs', 'dist/cjs/package.json'];
const INPUTS = ['lib', 'tsconfig.json', 'tsconfig.cjs.json', 'scripts/build.mjs'];

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return /\.(c|m)?ts$|\.json$|\.mjs$/.test(path) ? stats.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isStale(): boolean {
  if (OUTPUTS.some((file) => !existsSync(join(root, file)))) return true;
  const built = Math.min(...OUTPUTS.map((file) => statSync(join(root, file)).mtimeMs));
  return Math.max(...INPUTS.map((input) => newestMtime(join(root, input)))) > built;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds dist/ if a source is newer than it (one build at a time across test processes). */
export function ensureBuilt(): void {
  if (!isStale()) return;
  const lock = join(root, 'node_modules', '.cache', 'rnnkit-build.lock');
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building; a lock older than 3 minutes was left by a killed one.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 3 minutes for ${lock}; remove it if no build is running`);
      sleep(200);
    }
  }
  try {
    if (!isStale()) return;
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    if (OUTPUTS.some((file) => !existsSync(join(root, file)))) {
      throw new Error(`scripts/build.mjs did not produce dist/:\n${build.stdout}\n${build.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node <args>` in a child process (environment: this one plus `env`; undefined values unset). */
export function runNode(args: string[], options: SpawnSyncOptions & { env?: Record<string, string | undefined> } = {}): Run {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, ...options, env });
  return { status: result.status, signal: result.signal, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** The `rnnkit` command (the compiled dist/cli/main.js) with `args`. */
export function rnnkit(args: string[], options: SpawnSyncOptions & { env?: Record<string, string | undefined> } = {}): Run {
  return runNode([cliPath, ...args], options);
}
