/**
 * The README's code examples must run: each ```ts block is written next to this file with its
 * `from 'rnnkit'` import pointed at lib/index.ts, and imported. Blocks marked ```ts sketch show an
 * API shape around user data (files, variables) and are not run.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README examples', () => {
  it('has at least one TypeScript example', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      const file = new URL(`./.readme-block-${i}.ts`, import.meta.url);
      writeFileSync(file, code.replace(/from 'rnnkit'/g, "from '../lib/index.js'"));
      try {
        await import(file.href);
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
