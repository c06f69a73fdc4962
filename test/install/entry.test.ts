/**
 * The package's two entry points (package.json "exports"), loaded by name as a user does, in child
 * processes: `import('rnnkit')` (dist/index.js) and `require('rnnkit')` (dist/cjs/require.cjs). They
 * give the same API (the same export names); where Node can require() an ES module, require gives
 * the very same module instance (no dual-package hazard: one backend choice, one defaultRng, one
 * Tensor class); with that turned off (older Node) it loads the CommonJS copy dist/cjs, which has
 * the same names and works. The installed-package version of these checks is in
 * scripts/install-paths.mjs (npm run test:install).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../lib/index.js';
import { ensureBuilt, root, runNode } from '../helpers/dist.js';

beforeAll(() => ensureBuilt(), 240_000);

function json<T>(r: { status: number | null; stdout: string; stderr: string }): T {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

const esm = (code: string, flags: string[] = []) => runNode([...flags, '--input-type=module', '-e', code], { cwd: root });
const cjs = (code: string, flags: string[] = []) => runNode([...flags, '--input-type=commonjs', '-e', code], { cwd: root });

describe('import("rnnkit") and require("rnnkit")', () => {
  it('package.json maps import, require and their types to the built files', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, Record<string, string>>>; bin: Record<string, string> };
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/require.cjs' },
    });
    expect(pkg.bin).toEqual({ rnnkit: './dist/cli/main.js' });
    expect(readFileSync(join(root, 'dist', 'cli', 'main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'dist', 'cjs', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('export the same names, those of lib/index.ts', () => {
    const imported = json<string[]>(esm("const m = await import('rnnkit'); console.log(JSON.stringify(Object.keys(m).sort()))"));
    const required = json<string[]>(cjs("const m = require('rnnkit'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule').sort()))"));
    expect(required).toEqual(imported);
    expect(imported).toEqual(Object.keys(api).sort());
    expect(imported).toContain('LSTM');
    expect(imported).toContain('systemInfo');
  });

  it('require() gives the very module import() gives, where Node can require ES modules', () => {
    const r = json<{ requireEsm: boolean; same: boolean; tensorClass: boolean; backendShared: boolean }>(cjs(`
      const required = require('rnnkit');
      import('rnnkit').then((imported) => {
        required.setBackend('js'); // state set through one entry is seen through the other
        console.log(JSON.stringify({
          requireEsm: process.features.require_module === true,
          same: required === imported,
          tensorClass: required.tensor([1], [1]) instanceof imported.Tensor,
          backendShared: imported.getBackend().name === 'js',
        }));
      });`));
    if (!r.requireEsm) return; // Node without require(esm): covered by the next test
    expect(r).toEqual({ requireEsm: true, same: true, tensorClass: true, backendShared: true });
  });

  it('without require(esm) (--no-experimental-require-module, as on older Node) require loads the CommonJS copy, which works', () => {
    const r = json<{ file: string; keys: string[]; sum: number; loss: number; hazard: boolean }>(cjs(`
      const m = require('rnnkit');
      const t = m.tensor([1, 2, 3, 4], [2, 2]);
      const loss = m.crossEntropy(m.tensor([[2, 0, 0], [0, 2, 0]], [2, 3]), [0, 1]);
      import('rnnkit').then((imported) => console.log(JSON.stringify({
        file: Object.keys(require.cache).find((f) => f.endsWith('index.js') && f.includes('cjs')) ?? '',
        keys: Object.keys(m).filter((k) => k !== '__esModule').sort(),
        sum: m.sum(t).data[0],
        loss: loss.data[0],
        hazard: !(t instanceof imported.Tensor), // the documented dual-package hazard of this mode
      })));`, ['--no-experimental-require-module']));
    expect(r.file).toBe(join(root, 'dist', 'cjs', 'index.js'));
    expect(r.keys).toEqual(Object.keys(api).sort());
    expect(r.sum).toBe(10);
    expect(r.loss).toBeCloseTo(Math.log(1 + 2 * Math.exp(-2)), 6); // -log softmax([2, 0, 0])[0]
    expect(r.hazard).toBe(true);
  });

  it('the CommonJS copy finds the package root and loads the same addon (or falls back the same way)', () => {
    const code = "const m = require('rnnkit'); const i = m.systemInfo(); console.log(JSON.stringify({ version: i.version, backend: i.backend, binary: i.native.available ? i.native.binary : null }))";
    const copy = json<{ version: string; backend: string; binary: string | null }>(cjs(code, ['--no-experimental-require-module']));
    const real = json<{ version: string; backend: string; binary: string | null }>(esm(code.replace("const m = require('rnnkit');", "const m = await import('rnnkit');")));
    expect(copy).toEqual(real);
    expect(copy.version).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
