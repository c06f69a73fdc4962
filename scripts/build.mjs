#!/usr/bin/env node
/**
 * Builds the JavaScript of the package (`npm run build:ts`, and npm's prepare step):
 *
 *   dist/        the ES modules and their .d.ts (tsconfig.json): `import 'rnnkit'`, the CLI (dist/cli)
 *   dist/cjs/    a CommonJS copy (tsconfig.cjs.json) with its own package.json {"type":"commonjs"},
 *                and dist/cjs/require.cjs, the `require('rnnkit')` entry (lib/require.cts says which
 *                of the two it loads, and why)
 *
 * The two compilations run side by side. The CommonJS copy gets one rewrite: lib/backend/addon.ts
 * takes its own URL from `import.meta.url`, which CommonJS cannot parse, so that expression becomes
 * the same URL made from __filename; the build fails if it finds it anywhere else.
 *
 *   node scripts/build.mjs               build (type errors fail the build)
 *   node scripts/build.mjs --clean       delete dist/ first, then build
 *   node scripts/build.mjs --clean-only  delete dist/ only: npm pack's prepack step, after which npm
 *                                        runs prepare (this build), so no stale file is packed
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const cjs = join(dist, 'cjs');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

function compile(project) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => done(code === 0 ? null : `tsc -p ${project} failed (${signal ?? `exit ${code}`})`));
  });
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const URL_FROM_FILENAME = 'require("node:url").pathToFileURL(__filename).href';

/** Makes dist/cjs loadable as CommonJS: its package.json, and the one import.meta.url rewritten. */
function finishCommonJs() {
  writeFileSync(join(cjs, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  const addon = join(cjs, 'backend', 'addon.js');
  const text = readFileSync(addon, 'utf8');
  const uses = text.split('import.meta.url').length - 1;
  if (!text.includes('const moduleUrl = import.meta.url;') || uses !== 1) {
    throw new Error(`${relative(root, addon)}: expected "const moduleUrl = import.meta.url;" once (the CommonJS rewrite), found ${uses} uses of import.meta.url; update scripts/build.mjs`);
  }
  writeFileSync(addon, text.replace('const moduleUrl = import.meta.url;', `const moduleUrl = ${URL_FROM_FILENAME};`));
  for (const file of files(cjs)) {
    if (!/\.c?js$/.test(file)) continue;
    const code = readFileSync(file, 'utf8').split('\n').filter((line) => !line.trim().startsWith('//')).join('\n');
    if (code.includes('import.meta')) throw new Error(`${relative(root, file)} uses import.meta, which CommonJS cannot parse; see scripts/build.mjs`);
  }
}

async function main() {
  if (process.argv.includes('--clean') || process.argv.includes('--clean-only')) rmSync(dist, { recursive: true, force: true });
  if (process.argv.includes('--clean-only')) return;
  const started = Date.now();
  const errors = (await Promise.all([compile('tsconfig.json'), compile('tsconfig.cjs.json')])).filter((e) => e !== null);
  // tsc writes its output even with type errors; finish it either way, then fail on the errors.
  if (existsSync(join(cjs, 'backend', 'addon.js'))) finishCommonJs();
  const cli = join(dist, 'cli', 'main.js');
  if (existsSync(cli)) chmodSync(cli, 0o755);
  if (errors.length > 0) {
    console.error(`build: ${errors.join('; ')}`);
    process.exit(1);
  }
  console.error(`build: dist/ (ESM) and dist/cjs/ (CommonJS) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`build: ${err.message}`);
  process.exit(1);
});
