#!/usr/bin/env node
/**
 * `npm run prebuild`: builds the Node-API binary for this machine with prebuildify (--napi --strip)
 * into prebuilds/<platform>-<arch>/rnnkit.node, the file node-gyp-build loads first when a package
 * is installed, so `npm install rnnkit` compiles nothing on a platform we ship a binary for.
 *
 * - Node-API, not the V8 ABI: one binary serves every Node version with NAPI_VERSION 8 (Node >= 12.22),
 *   which is what binding.gyp defines and package.json's binary.napi_versions says.
 * - One binary per CPU architecture: the x86-64 build carries the scalar, SSE2 (baseline), AVX2 and
 *   AVX-512 kernels and picks one at load from CPUID (native/kernels/dispatch.cc), the arm64 build the
 *   scalar and NEON kernels; nothing is built with -march=native. RNNKIT_SIMD=scalar|sse2|avx2|avx512|neon
 *   forces a level (test/install checks each one usable).
 * - Offline: node-gyp builds against this Node's own headers (npm_config_nodedir, or the include/node
 *   directory beside the running node), never downloads them. To make sure, the dist URL points to a
 *   closed loopback port and the header cache (--devdir) is a fresh empty directory, checked to be
 *   still empty afterwards.
 * - It builds in a scratch copy (binding.gyp, native/, package.json; node_modules linked), so the
 *   development build in build/ is neither rebuilt nor moved away, and the prebuild is a clean build
 *   of exactly the sources native/sources.json lists.
 *
 * npm also runs a script named "prebuild" before "build" (its pre-hook rule). That hook is skipped
 * here: `npm run build` (cmake-js) should not make a prebuild as a side effect.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, availableParallelism, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** True when npm runs this as the pre-hook of `npm run build` rather than as `npm run prebuild`. */
function isBuildHook() {
  if (process.env.npm_lifecycle_event !== 'prebuild') return false;
  // npm gives both cases the same environment; its command line tells them apart (Linux /proc). npm
  // sets its process title to "npm run build", which replaces its argv there.
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().split(/\s+/);
      const npmAt = argv.findIndex((a) => /(^|\/)npm(-cli\.js)?$/.test(a));
      if (npmAt >= 0) {
        const words = argv.slice(npmAt + 1).filter((a) => !a.startsWith('-'));
        return ['run', 'run-script', 'rum', 'urn'].includes(words[0]) && words[1] === 'build';
      }
      pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

/** A directory of this Node's headers (include/node/node_api.h and common.gypi), or null. */
function localNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')].filter(Boolean);
  for (const dir of candidates) {
    if (existsSync(join(dir, 'include', 'node', 'node_api.h')) && existsSync(join(dir, 'include', 'node', 'common.gypi'))) return dir;
  }
  return null;
}

/** node-gyp: npm's bundled copy (what `npm install` uses), else one on PATH. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  return candidates.find((path) => existsSync(path)) ?? 'node-gyp';
}

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function main() {
  if (isBuildHook()) {
    console.error('prebuild: skipped as the pre-hook of `npm run build`; run `npm run prebuild` to make prebuilds/');
    return;
  }
  const nodedir = localNodeDir();
  if (nodedir === null) {
    fail(`no local Node headers found (include/node/node_api.h beside ${process.execPath}); set npm_config_nodedir to a Node source or headers directory`);
  }

  const stage = mkdtempSync(join(tmpdir(), 'rnnkit-prebuild-'));
  try {
    for (const entry of ['package.json', 'binding.gyp', 'native']) cpSync(join(root, entry), join(stage, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const devdir = join(stage, 'header-cache');
    mkdirSync(devdir);

    const target = `node@${process.versions.node}`;
    const args = [
      require.resolve('prebuildify/bin.js'), stage,
      '--napi', '--strip', `--target=${target}`, `--out=${root}`, `--cache=${devdir}`,
    ];
    const env = {
      ...process.env,
      npm_config_nodedir: nodedir,
      // Anything that still tried to download headers would hit a closed port and fail loudly.
      npm_config_dist_url: 'http://127.0.0.1:9/',
      npm_config_disturl: 'http://127.0.0.1:9/',
      PREBUILD_NODE_GYP: nodeGyp(),
      JOBS: process.env.JOBS ?? String(availableParallelism()),
    };
    console.error(`prebuild: prebuildify --napi --strip --target=${target} (headers ${nodedir}/include/node, node-gyp ${env.PREBUILD_NODE_GYP})`);
    const started = Date.now();
    const result = spawnSync(process.execPath, args, { cwd: stage, env, stdio: 'inherit' });
    if (result.status !== 0) fail(`prebuildify failed (exit ${result.status ?? result.signal})`);

    const downloaded = readdirSync(devdir);
    if (downloaded.length > 0) fail(`node-gyp put ${downloaded.join(', ')} into the header cache: it tried to download headers`);

    const out = join(root, 'prebuilds', `${platform()}-${arch()}`);
    const binaries = readdirSync(out).filter((name) => name.endsWith('.node'));
    for (const name of binaries) {
      const size = statSync(join(out, name)).size;
      console.log(`prebuild: ${join('prebuilds', `${platform()}-${arch()}`, name)} ${(size / 1024).toFixed(0)} KiB (${((Date.now() - started) / 1000).toFixed(0)} s, no download)`);
    }
    if (binaries.length === 0) fail(`no .node file in ${out}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main();
