#!/usr/bin/env node
/**
 * `npm run test:install`: installs the packed tarball into fresh folders outside the repository, the
 * way a user's `npm install rnnkit` would, offline (dependencies from the npm cache that `npm ci`
 * filled), and checks the three install paths:
 *
 *   1. a prebuilt binary for this platform is in the tarball → it is loaded, nothing is compiled
 *      (no build/ directory); each SIMD level (RNNKIT_SIMD=scalar|sse2|avx2|avx512|neon) usable on this CPU
 *      runs and agrees with the js backend; require() and import give the same API; the .d.ts
 *      types work for an ESM and a CommonJS TypeScript consumer; the rnnkit command runs;
 *   2. no prebuilt binary for the platform, a compiler present → node-gyp builds it at install;
 *   3. no prebuilt binary and no compiler (PATH without python3/make/g++), and --ignore-scripts →
 *      the install succeeds, the library prints ONE line saying it runs on the pure-TypeScript
 *      kernels and why, and training works.
 *
 * Steps: `npm run prebuild` (prebuilds/<platform>-<arch>/), then `npm pack` in a scratch copy of
 * the repository (so the working tree's dist/ is left alone; npm pack runs the clean build), the
 * tarball's file list and size, a second tarball without prebuilds/ (a platform we ship no binary
 * for), then one fresh folder per path. Prints one line per check, a result per path, the tarball
 * size, and last "N passed, N failed" (exit code 1 if any failed).
 *
 *   node scripts/install-paths.mjs [--skip-prebuild] [--keep]
 *     --skip-prebuild  use prebuilds/ as it is (fails if there is none for this platform)
 *     --keep           leave the scratch folder (printed) for a look
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--skip-prebuild', '--keep'].includes(a)) {
    console.error(`install-paths: unknown option ${a}; usage: node scripts/install-paths.mjs [--skip-prebuild] [--keep]`);
    process.exit(2);
  }
}
const target = `${platform()}-${arch()}`;
const work = mkdtempSync(join(tmpdir(), 'rnnkit-install-'));
const started = Date.now();
let passed = 0;
let failed = 0;
const pathResults = [];

// ---- helpers ----------------------------------------------------------------------------------------

function log(text) {
  process.stdout.write(`${text}\n`);
}

/** One named check: prints PASS/FAIL with the detail; returns whether it passed. */
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  log(`  ${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/**
 * The environment for child processes: this one without npm's npm_* variables, which `npm run` sets
 * for its own project (npm_config_local_prefix would point a nested npm install at this repository).
 * A cache given as npm_config_cache is kept.
 */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)));
  return { ...env, ...extra };
}

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000, env: cleanEnv(), ...options });
  return { status: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

/** The first line of `text` containing `marker`, trimmed, or ''. */
function line(text, marker) {
  return text.split('\n').find((l) => l.includes(marker))?.trim() ?? '';
}

function tail(text, lines = 8) {
  return text.trim().split('\n').slice(-lines).join('\n      ');
}

/** npm's own script (npm-cli.js), run with this node, so a PATH without npm still installs. */
const npmCli = [
  process.env.npm_execpath,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  join(dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js'),
].find((p) => p && /npm-cli\.js$/.test(p) && existsSync(p));
if (npmCli === undefined) {
  console.error('install-paths: cannot find npm-cli.js (set npm_execpath)');
  process.exit(1);
}
function npm(argv, options = {}) {
  return run(process.execPath, [npmCli, ...argv], options);
}

/** Node code run in `dir` (ESM, or CommonJS with cjs: true); returns the process result. */
function node(dir, code, { cjs = false, env = {}, flags = [] } = {}) {
  return run(process.execPath, [...flags, '--input-type', cjs ? 'commonjs' : 'module', '-e', code], { cwd: dir, env: cleanEnv(env) });
}

/**
 * The lockfile of a consumer project that depends on `tarball` (rnnkit) alone: rnnkit's entry with the
 * tarball's integrity, and its dependencies (and theirs) pinned as in this repository's
 * package-lock.json. With it, `npm install --offline` takes every dependency from the npm cache by
 * integrity, as `npm ci` does, so nothing is fetched; without it npm would need the registry's
 * metadata of each dependency to resolve its version range, and `npm ci` on a clean machine caches
 * the tarballs only, not that metadata.
 */
function consumerLock(name, tarball) {
  const repoLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages = {
    '': { name, version: '1.0.0', dependencies: { rnnkit: `file:${tarball}` } },
    'node_modules/rnnkit': {
      version: pkg.version, resolved: `file:${tarball}`, integrity, hasInstallScript: true, license: pkg.license,
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  const pending = Object.keys(pkg.dependencies ?? {});
  while (pending.length > 0) {
    const dep = pending.pop();
    const key = `node_modules/${dep}`;
    if (packages[key] !== undefined) continue;
    const entry = repoLock.packages[key];
    if (entry === undefined) throw new Error(`package-lock.json has no ${key} (run npm install)`);
    const { dev, devOptional, peer, ...kept } = entry; // a runtime dependency of the consumer
    packages[key] = kept;
    pending.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** A fresh consumer project; installs the tarball offline; returns the folder and npm's result. */
function install(name, tarball, { extraArgs = [], env = cleanEnv() } = {}) {
  const dir = join(work, name);
  mkdirSync(dir);
  const project = `consumer-${name}`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: project, version: '1.0.0', private: true, dependencies: { rnnkit: `file:${tarball}` } }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(consumerLock(project, tarball), null, 2)}\n`);
  const t0 = Date.now();
  const result = npm(['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', ...extraArgs], { cwd: dir, env });
  return { dir, result, seconds: (Date.now() - t0) / 1000, pkg: join(dir, 'node_modules', 'rnnkit') };
}

const FALLBACK_LINE = /^rnnkit: running on the pure-TypeScript kernels \((.+)\)$/;

/** A tiny end-to-end workload: an LSTM language-model training step and a forward, as JSON. */
const WORKLOAD = `
  const m = await import('rnnkit');
  m.manualSeed(3);
  const model = new m.LanguageModel({ vocabSize: 11, embeddingDim: 8, hiddenSize: 8 });
  const opt = new m.Adam(model.parameters(), { lr: 0.01 });
  const x = m.tensor(Float32Array.from({ length: 12 }, (_, i) => i % 11), [6, 2]);
  const y = m.tensor(Float32Array.from({ length: 12 }, (_, i) => (i + 1) % 11), [12]);
  const losses = [];
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    const [logits] = model.forward(x);
    const loss = m.crossEntropy(logits.reshape([12, 11]), y);
    loss.backward();
    opt.step();
    losses.push(loss.data[0]);
  }
  const info = m.systemInfo();
  console.log(JSON.stringify({ backend: info.backend, native: info.native, fallbackReason: info.fallbackReason, losses }));
`;

function parseLastJson(stdout) {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  try {
    return line === undefined ? null : JSON.parse(line);
  } catch {
    return null;
  }
}

// ---- 0. prebuild and pack ---------------------------------------------------------------------------

function prebuild() {
  log(`prebuild for ${target}`);
  if (args.has('--skip-prebuild')) {
    return check('prebuilds/ has a binary for this platform', existsSync(join(root, 'prebuilds', target)), `prebuilds/${target}`);
  }
  const r = run(process.execPath, [join(root, 'scripts', 'prebuild.mjs')], { cwd: root });
  const line = r.stdout.trim().split('\n').find((l) => l.startsWith('prebuild: prebuilds/')) ?? '';
  return check('npm run prebuild (prebuildify --napi --strip, local headers, no download)', r.status === 0 && line !== '', r.status === 0 ? line.replace('prebuild: ', '') : tail(r.stderr));
}

/** npm pack in a scratch copy of the repository; returns { tarball, info } or null. */
function pack() {
  log('npm pack');
  const stage = join(work, 'source');
  const skip = new Set(['node_modules', 'build', 'dist', '.git', 'build-examples']);
  cpSync(root, stage, { recursive: true, filter: (src) => !(dirname(src) === root && skip.has(basename(src))) && !src.includes(`${join('bench', 'results')}`) && !src.includes(`${join('bench', '.out')}`) });
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const r = npm(['pack', '--json', '--pack-destination', work], { cwd: stage });
  let info = null;
  try {
    info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
  } catch {
    // reported below
  }
  if (!check('npm pack (its prepack/prepare steps: clean build of dist/ and dist/cjs/)', r.status === 0 && info !== null, r.status === 0 ? info?.filename ?? '' : tail(r.stderr))) return null;
  const files = info.files.map((f) => f.path);
  const required = [
    'package.json', 'binding.gyp', 'native/sources.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/require.cjs',
    'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/cli/main.js', `prebuilds/${target}/rnnkit.node`,
  ];
  const missing = required.filter((f) => !files.includes(f));
  check('the tarball has the prebuilds, dist/ (ESM, CommonJS, types, CLI) and the native sources', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : `${files.length} files`);
  const forbidden = files.filter((f) => /^(test|bench|examples|scripts|lib|build|node_modules)\/|\.map$|\.tsbuildinfo$|(^|\/)tsconfig[^/]*\.json$|\.test\.[cm]?[jt]s$/.test(f));
  check('no tests, benchmarks, TypeScript sources or source maps in it', forbidden.length === 0, forbidden.slice(0, 5).join(', '));
  const tarball = join(work, info.filename);
  const cc = files.filter((f) => f.endsWith('.cc')).length;
  log(`  tarball ${info.filename}: ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info.entryCount} files (${cc} C++ sources for the compile fallback)`);
  return { tarball, info };
}

/** The same tarball without prebuilds/: what a platform we ship no binary for gets. */
function withoutPrebuilds(tarball) {
  const dir = join(work, 'repack');
  mkdirSync(dir);
  const x = run('tar', ['xzf', tarball, '-C', dir]);
  rmSync(join(dir, 'package', 'prebuilds'), { recursive: true, force: true });
  const out = join(work, 'rnnkit-no-prebuilds.tgz');
  const c = run('tar', ['czf', out, '-C', dir, 'package']);
  return check('a second tarball without prebuilds/ (a platform with no prebuilt binary)', x.status === 0 && c.status === 0, tail(x.stderr + c.stderr)) ? out : null;
}

// ---- the paths ------------------------------------------------------------------------------------

function path1(tarball) {
  log('path 1: prebuilt binary present');
  const before = failed;
  const { dir, result, seconds, pkg } = install('path1-prebuilt', tarball);
  if (!check('npm install --offline of the tarball succeeds', result.status === 0, result.status === 0 ? `${seconds.toFixed(1)} s` : tail(result.stderr))) return false;
  check('nothing compiled: no node_modules/rnnkit/build/', !existsSync(join(pkg, 'build')));
  const w = node(dir, WORKLOAD);
  const out = parseLastJson(w.stdout);
  check('loads prebuilds/ on the native backend, no fallback notice', w.status === 0 && out?.backend === 'native' && out.native.origin === 'prebuilt' && !FALLBACK_LINE.test(w.stderr.trim()),
    out ? `${out.native.binary?.replace(dir, '.')} (${out.native.isa})` : tail(w.stderr));

  // Every SIMD level this CPU has, forced, against the js backend on the same LSTM.
  const simd = node(dir, "const m = await import('rnnkit'); console.log(JSON.stringify(m.systemInfo().native.isas ?? []));");
  const usable = simd.status === 0 ? JSON.parse(simd.stdout.trim().split('\n').pop()) : [];
  for (const level of ['scalar', 'sse2', 'avx2', 'avx512', 'neon']) {
    if (!usable.includes(level)) {
      log(`  skip RNNKIT_SIMD=${level}: this CPU lacks it (usable: ${usable.join(', ') || 'none'})`);
      continue;
    }
    const r = node(dir, `
      const m = await import('rnnkit');
      const lstm = () => { m.manualSeed(5); return new m.LSTM({ inputSize: 17, hiddenSize: 33, numLayers: 2 }); };
      const x = m.tensor(Float32Array.from({ length: 9 * 3 * 17 }, (_, i) => Math.sin(i)), [9, 3, 17]);
      const run = (backend) => { m.setBackend(backend); const l = lstm(); const [out] = l.forward(x); out.sum().backward(); return [out.data, l.namedParameters()[0][1].grad.data]; };
      const [nOut, nGrad] = run('native');
      const [jOut, jGrad] = run('js');
      const rel = (a, b) => { let d = 0, n = 0; for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; } return Math.sqrt(d / n); };
      console.log(JSON.stringify({ isa: m.systemInfo().native.isa, out: rel(nOut, jOut), grad: rel(nGrad, jGrad) }));`,
    { env: { RNNKIT_SIMD: level } });
    const res = parseLastJson(r.stdout);
    check(`RNNKIT_SIMD=${level}: that kernel table runs and matches the js backend`, r.status === 0 && res?.isa === level && res.out < 1e-4 && res.grad < 1e-4,
      res ? `isa ${res.isa}, rel. diff out ${res.out.toExponential(1)}, grad ${res.grad.toExponential(1)}` : tail(r.stderr));
  }

  // require() and import: the same export names; on this Node the very same module instance.
  const esmKeys = node(dir, `const m = await import('rnnkit'); console.log(JSON.stringify(Object.keys(m).sort()));`);
  const cjsKeys = node(dir, `const m = require('rnnkit'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule').sort()));`, { cjs: true });
  check('require("rnnkit") and import("rnnkit") export the same names', esmKeys.status === 0 && cjsKeys.status === 0 && esmKeys.stdout.trim() === cjsKeys.stdout.trim() && esmKeys.stdout.length > 100,
    esmKeys.status === 0 ? `${JSON.parse(esmKeys.stdout).length} names` : tail(esmKeys.stderr + cjsKeys.stderr));
  const copy = node(dir, `
    const m = require('rnnkit');
    const t = m.tensor([1, 2, 3], [3]);
    console.log(JSON.stringify({ keys: Object.keys(m).filter((k) => k !== '__esModule').length, sum: m.sum(t).data[0], backend: m.getBackend().name, file: require.resolve('rnnkit') }));`,
  { cjs: true, flags: ['--no-experimental-require-module'] });
  const copyOut = parseLastJson(copy.stdout);
  check('without require(esm) (older Node) require("rnnkit") loads the CommonJS copy and works', copy.status === 0 && copyOut?.sum === 6 && copyOut.backend === 'native' && copyOut.keys === JSON.parse(esmKeys.stdout || '[]').length,
    copyOut ? `${copyOut.keys} names, backend ${copyOut.backend}` : tail(copy.stderr));

  // Types: an ESM and a CommonJS TypeScript consumer type-check against the installed package.
  writeFileSync(join(dir, 'esm.mts'), `import { LSTM, tensor, systemInfo, type SystemInfo } from 'rnnkit';\nconst l: LSTM = new LSTM({ inputSize: 2, hiddenSize: 3 });\nconst i: SystemInfo = systemInfo();\nexport const out = [l.forward(tensor([1, 2], [1, 1, 2]))[0].shape, i.backend];\n`);
  writeFileSync(join(dir, 'cjs.cts'), `import rnnkit = require('rnnkit');\nconst l: rnnkit.LSTM = new rnnkit.LSTM({ inputSize: 2, hiddenSize: 3 });\nexport const shape: number[] = l.forward(rnnkit.tensor([1, 2], [1, 1, 2]))[0].shape;\n`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['esm.mts', 'cjs.cts'] }));
  const tsc = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--types', 'node'], { cwd: dir });
  check('types: an ESM (import) and a CommonJS (require) TypeScript consumer type-check', tsc.status === 0, tail(tsc.stdout + tsc.stderr));

  const cli = run(join(dir, 'node_modules', '.bin', 'rnnkit'), ['info'], { cwd: dir });
  check('the rnnkit command (node_modules/.bin/rnnkit info)', cli.status === 0 && /backend:\s+native/.test(cli.stdout) && /prebuilt/.test(cli.stdout),
    cli.status === 0 ? line(cli.stdout, 'binary:').replaceAll(dir, '.') : tail(cli.stdout + cli.stderr));
  return failed === before;
}

function path2(tarball) {
  log('path 2: no prebuilt binary for this platform, compiler present');
  const before = failed;
  const { dir, result, seconds, pkg } = install('path2-compile', tarball);
  if (!check('npm install --offline of the tarball succeeds', result.status === 0, result.status === 0 ? `${seconds.toFixed(1)} s, node-gyp build included` : tail(result.stderr))) return false;
  check('node-gyp built node_modules/rnnkit/build/Release/rnnkit.node', existsSync(join(pkg, 'build', 'Release', 'rnnkit.node')), line(result.stdout + result.stderr, 'gyp info ok') || tail(result.stdout + result.stderr));
  const w = node(dir, WORKLOAD);
  const out = parseLastJson(w.stdout);
  check('loads the compiled binary on the native backend, no fallback notice', w.status === 0 && out?.backend === 'native' && out.native.origin === 'local' && !FALLBACK_LINE.test(w.stderr.trim()),
    out ? `${out.native.binary?.replace(dir, '.')} (${out.native.isa}, ${out.native.build})` : tail(w.stderr));
  return failed === before;
}

/** A folder holding only `node` and `sh`: PATH for "no compiler, no make, no python". */
function bareBin() {
  const bin = join(work, 'bare-bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh')); // a machine without compilers still has a shell
  return bin;
}

function checkFallback(label, dir) {
  const w = node(dir, WORKLOAD);
  const out = parseLastJson(w.stdout);
  const notices = w.stderr.split('\n').filter((l) => l.startsWith('rnnkit:'));
  check(`${label}: runs on the js backend and training works`, w.status === 0 && out?.backend === 'js' && out.losses.length === 3 && out.losses.every(Number.isFinite) && out.losses[2] < out.losses[0],
    out ? `losses ${out.losses.map((l) => l.toFixed(3)).join(' → ')}` : tail(w.stderr));
  check(`${label}: exactly one line says it runs on the pure-TypeScript kernels and why`, notices.length === 1 && FALLBACK_LINE.test(notices[0]) && w.stderr.trim().split('\n').length === 1,
    notices[0] ?? tail(w.stderr));
  const cli = run(join(dir, 'node_modules', '.bin', 'rnnkit'), ['info'], { cwd: dir });
  check(`${label}: rnnkit info says js and why`, cli.status === 0 && /backend:\s+js/.test(cli.stdout) && /why:\s+no native addon/.test(cli.stdout), cli.status === 0 ? line(cli.stdout, 'backend:') : tail(cli.stdout + cli.stderr));
}

function path3(tarball) {
  log('path 3: no prebuilt binary and no compiler');
  const before = failed;
  const env = cleanEnv({ PATH: bareBin(), CC: 'false', CXX: 'false' });
  const a = install('path3-no-compiler', tarball, { env });
  if (check('npm install --offline with no python3/make/g++ on PATH succeeds', a.result.status === 0, a.result.status === 0 ? `${a.seconds.toFixed(1)} s` : tail(a.result.stderr))) {
    // The build was tried and failed for want of tools (node-gyp's first error), and npm went on.
    check('the compile was tried, failed for want of tools, and no binary was produced', !existsSync(join(a.pkg, 'build', 'Release', 'rnnkit.node')),
      line(a.result.stdout + a.result.stderr, 'gyp ERR!') || 'no node-gyp output');
    checkFallback('no compiler', a.dir);
  }
  const b = install('path3-ignore-scripts', tarball, { extraArgs: ['--ignore-scripts'] });
  if (check('npm install --offline --ignore-scripts succeeds', b.result.status === 0, b.result.status === 0 ? `${b.seconds.toFixed(1)} s` : tail(b.result.stderr))) {
    check('nothing compiled: no node_modules/rnnkit/build/', !existsSync(join(b.pkg, 'build')));
    checkFallback('--ignore-scripts', b.dir);
  }
  return failed === before;
}

// ---- main -----------------------------------------------------------------------------------------

log(`install paths of rnnkit (${target}, node ${process.version}), scratch folder ${work}`);
let size = null;
try {
  if (prebuild()) {
    const packed = pack();
    if (packed !== null) {
      size = packed.info;
      pathResults.push(['1 prebuilt present → loaded, nothing compiled', path1(packed.tarball)]);
      const bare = withoutPrebuilds(packed.tarball);
      if (bare !== null) {
        pathResults.push(['2 no prebuilt, compiler present → node-gyp builds it', path2(bare)]);
        pathResults.push(['3 no prebuilt, no compiler / --ignore-scripts → js backend, one notice', path3(bare)]);
      }
    }
  }
} catch (err) {
  check('the script itself', false, err.stack);
} finally {
  if (args.has('--keep')) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

log('');
for (const [name, ok] of pathResults) log(`${ok ? 'PASS' : 'FAIL'} path ${name}`);
if (size !== null) log(`tarball: ${(size.size / 1024).toFixed(0)} KiB packed, ${(size.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${size.entryCount} files`);
log(`install paths took ${((Date.now() - started) / 1000).toFixed(0)} s`);
log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || pathResults.length < 3 ? 1 : 0;
