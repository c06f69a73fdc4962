/**
 * `rnnkit info` (lib/cli/info.ts), the compiled CLI in a child process: version, backend, SIMD level
 * and threads, the binary, and why it runs on the js backend when it does; --json is systemInfo().
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isNativeAvailable, type SystemInfo } from '../../lib/index.js';
import { ensureBuilt, rnnkit, root } from '../helpers/dist.js';

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const native = isNativeAvailable();

beforeAll(() => ensureBuilt(), 240_000);

describe('rnnkit info', () => {
  it('the first line names the version, node and the platform', () => {
    const r = rnnkit(['info']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`rnnkit ${version} (node ${process.version}, ${process.platform}-${process.arch})`);
    expect(r.stdout).toMatch(/^threads: +\d+$/m);
  });

  it.runIf(native)('native: the binary, the SIMD level among the usable ones, the build', () => {
    const r = rnnkit(['info']);
    expect(r.stdout).toMatch(/^backend: +native \(the C\+\+ addon\)$/m);
    expect(r.stdout).toMatch(/^binary: +\S+rnnkit\.node \((prebuilt|compiled on this machine)\)$/m);
    const simd = /^SIMD: +(\w+) \(usable here: ([\w, ]+)\)$/m.exec(r.stdout);
    expect(simd).not.toBeNull();
    expect(simd![2]!.split(', ')).toContain(simd![1]);
    expect(r.stdout).toMatch(/^build: +(node-gyp|cmake-js), .+, Node-API \d+$/m);
  });

  it.runIf(native)('RNNKIT_SIMD=scalar is shown as forced', () => {
    const r = rnnkit(['info'], { env: { RNNKIT_SIMD: 'scalar' } });
    expect(r.stdout).toMatch(/^SIMD: +scalar \(usable here: .*, forced by RNNKIT_SIMD=scalar\)$/m);
  });

  it('RNNKIT_BACKEND=js: backend js, and why', () => {
    const r = rnnkit(['info'], { env: { RNNKIT_BACKEND: 'js' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: +js \(the pure-TypeScript kernels\)$/m);
    expect(r.stdout).toMatch(native ? /^why: +chosen by RNNKIT_BACKEND=js$/m : /^why: +no native addon could be loaded/m);
    expect(r.stdout).toMatch(/^SIMD: +none/m);
  });

  it('--json prints systemInfo() as JSON', () => {
    const r = rnnkit(['info', '--json'], { env: { RNNKIT_SIMD: undefined } });
    const info = JSON.parse(r.stdout) as SystemInfo;
    expect(info.version).toBe(version);
    expect(info.node).toBe(process.version);
    expect(info.backend).toBe(native ? 'native' : 'js');
    expect(info.native.available).toBe(native);
  });
});
