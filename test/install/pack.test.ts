/**
 * What `npm pack` puts in the tarball (package.json "files"), from `npm pack --dry-run --json`: the
 * built JavaScript and types (dist/, dist/cjs/), the CLI, the prebuilt binaries when present, and
 * every C++ source and header the compile fallback needs (binding.gyp builds from
 * native/sources.json); no tests, benchmarks, examples, TypeScript sources or source maps. The real
 * tarball is packed, installed and checked by scripts/install-paths.mjs (npm run test:install).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../helpers/dist.js';

let files: string[] = [];

beforeAll(() => {
  ensureBuilt();
  const npmCli = process.env.npm_execpath?.endsWith('npm-cli.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const r = spawnSync(npmCli[0]!, [...npmCli.slice(1), 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed: ${r.stderr}`);
  files = (JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}, 240_000);

describe('npm pack', () => {
  it('has the ESM and CommonJS entries, their types, the CLI and the manifest', () => {
    for (const file of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/require.cjs', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/cli/main.js', 'dist/backend/addon.js']) {
      expect(files, file).toContain(file);
    }
  });

  it('has everything binding.gyp compiles from: sources.json, every listed source, every header', () => {
    const sources = JSON.parse(readFileSync(join(root, 'native', 'sources.json'), 'utf8')) as { kernels: string[]; isa: Record<string, string[]>; binding: string[] };
    const listed = [...sources.kernels, ...Object.values(sources.isa).flat(), ...sources.binding];
    const headers = ['native/kernels', 'native/binding'].flatMap((d) => readdirSync(join(root, d)).filter((f) => /\.(h|inl)$/.test(f)).map((f) => `${d}/${f}`));
    for (const file of ['binding.gyp', 'native/sources.json', ...listed, ...headers]) expect(files, file).toContain(file);
  });

  it('has the prebuilt binaries that exist (npm run prebuild makes them)', () => {
    const dir = join(root, 'prebuilds');
    const prebuilt = existsSync(dir) ? readdirSync(dir).flatMap((p) => readdirSync(join(dir, p)).map((f) => `prebuilds/${p}/${f}`)) : [];
    for (const file of prebuilt) expect(files, file).toContain(file);
  });

  it('has no tests, benchmarks, examples, scripts, TypeScript sources, source maps or build output', () => {
    const unwanted = files.filter((f) => /^(test|bench|examples|scripts|lib|build|build-examples|node_modules)\/|\.map$|\.tsbuildinfo$|^tsconfig|\.test\.|^\.ci\//.test(f));
    expect(unwanted).toEqual([]);
  });
});
