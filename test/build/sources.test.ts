/**
 * Both build chains build the same addon from the same sources: binding.gyp (node-gyp) and
 * CMakeLists.txt (cmake-js and the kernel tests) read native/sources.json, the one list. Checks that
 * each build file takes every list from it (gyp's '<!@(node -p ...)' commands are run here exactly as
 * gyp runs them), lists no source of its own, puts ISA flags only on the isa files, never uses
 * -march=native; and that every listed file exists and every .cc under native/ is listed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/backend/addon.js';

const root = packageRoot();
const sources = JSON.parse(readFileSync(join(root, 'native/sources.json'), 'utf8')) as {
  kernels: string[];
  isa: Record<string, string[]>;
  binding: string[];
};
const gyp = readFileSync(join(root, 'binding.gyp'), 'utf8');
const cmake = readFileSync(join(root, 'CMakeLists.txt'), 'utf8');
/** The file without its comment lines (the headers may mention what is forbidden). */
const code = (text: string) => text.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
const allListed = [...sources.kernels, ...Object.values(sources.isa).flat(), ...sources.binding];

/** .cc files under native/ that are deliberately not compiled (none today). */
const EXCLUDED: string[] = [];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Runs every '<!@(node -p "...")' of binding.gyp as gyp would (cwd = the .gyp's directory). */
function gypTargetSources(): Map<string, string[]> {
  const variable = /'rnnkit_sources':\s*"([^"]*)"/.exec(gyp)?.[1] ?? '';
  const targets = new Map<string, string[]>();
  const targetBlocks = gyp.split(/'target_name':\s*/).slice(1);
  for (const block of targetBlocks) {
    const name = /^'([^']+)'/.exec(block)![1]!;
    const files: string[] = [];
    for (const match of block.matchAll(/'<!@\(node -p "((?:[^"\\]|\\.)*)"\)'/g)) {
      const expression = match[1]!.replaceAll("\\'", "'").replaceAll('<(rnnkit_sources)', variable);
      const output = execFileSync(process.execPath, ['-p', expression], { cwd: root, encoding: 'utf8' });
      files.push(...output.trim().split(/\s+/).filter((f) => f !== ''));
    }
    targets.set(name, files);
  }
  return targets;
}

describe('native/sources.json', () => {
  it('every listed file exists, once', () => {
    expect(allListed.length).toBeGreaterThan(10);
    for (const file of allListed) expect(existsSync(join(root, file)), file).toBe(true);
    expect(new Set(allListed).size).toBe(allListed.length);
  });

  it('every .cc under native/ is listed or deliberately excluded', () => {
    const onDisk = walk(join(root, 'native')).map((p) => relative(root, p).split('\\').join('/')).filter((p) => p.endsWith('.cc'));
    expect(onDisk.length).toBeGreaterThan(10);
    for (const file of onDisk) expect(allListed.includes(file) || EXCLUDED.includes(file), `${file} is in no list`).toBe(true);
  });

  it('isa lists hold only native/kernels/isa/ files, and only they do', () => {
    for (const file of Object.values(sources.isa).flat()) expect(file).toMatch(/^native\/kernels\/isa\/\w+\.cc$/);
    for (const file of [...sources.kernels, ...sources.binding]) expect(file).not.toMatch(/\/isa\//);
    expect(Object.keys(sources.isa).sort()).toEqual(['avx2', 'avx512', 'neon', 'scalar', 'sse2']);
  });
});

describe('binding.gyp', () => {
  const targets = gypTargetSources();

  it('the addon target compiles kernels + the flagless isa files (scalar, sse2) + binding, read from sources.json', () => {
    const flagless = [...sources.isa.scalar!, ...sources.isa.sse2!];
    expect(targets.get('rnnkit')).toEqual([...sources.kernels, ...flagless, ...sources.binding]);
  });

  it('each vector ISA sits in its own static library with its flags', () => {
    expect(targets.get('rnnkit_isa_avx2')).toEqual(sources.isa.avx2);
    expect(targets.get('rnnkit_isa_avx512')).toEqual(sources.isa.avx512);
    expect(targets.get('rnnkit_isa_neon')).toEqual(sources.isa.neon);
    const all = [...targets.values()].flat().sort();
    expect(all).toEqual([...allListed].sort());
    const avx2Block = gyp.slice(gyp.indexOf("'rnnkit_isa_avx2'"), gyp.indexOf("'rnnkit_isa_avx512'"));
    expect(avx2Block).toContain("'-mavx2', '-mfma'");
    const addonBlock = gyp.slice(gyp.indexOf("'target_name': 'rnnkit',"));
    expect(addonBlock).not.toMatch(/-mavx|-march/);
  });

  it('names no source file itself and never -march=native', () => {
    expect(code(gyp)).not.toMatch(/\.cc['"]/);
    expect(code(gyp)).not.toContain('march=native');
  });
});

describe('CMakeLists.txt', () => {
  it('reads every list of sources.json and names no source file itself', () => {
    expect(cmake).toContain('native/sources.json');
    const lists = [...cmake.matchAll(/rnnkit_json_list\((\w+) ([\w ]+)\)/g)].map((m) => m[2]!.trim());
    expect(lists.sort()).toEqual(['binding', 'isa avx2', 'isa avx512', 'isa neon', 'isa scalar', 'isa sse2', 'kernels']);
    expect(code(cmake)).not.toMatch(/native\/[\w/]+\.cc/);
    expect(code(cmake)).not.toContain('march=native');
  });

  it('puts ISA flags only on the isa files', () => {
    for (const line of cmake.split('\n').filter((l) => /-mavx|arch:AVX/.test(l))) {
      expect(line).toMatch(/set_source_files_properties\(\$\{RNNKIT_ISA_AVX(2|512)\}/);
    }
  });

  it('the kernels library has no Node and the addon uses the binding list', () => {
    const kernelsLine = cmake.split('\n').find((l) => l.startsWith('add_library(rnnkit_kernels'))!;
    expect(kernelsLine).not.toMatch(/BINDING|CMAKE_JS/);
    expect(cmake).toMatch(/add_library\(rnnkit SHARED \$\{RNNKIT_BINDING_SOURCES\} \$\{CMAKE_JS_SRC\}\)/);
  });
});
