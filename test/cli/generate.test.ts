/**
 * `rnnkit generate` (lib/cli/generate.ts), the compiled CLI in a child process: what it prints for
 * the prompt and the length, streaming (it stops at once, exit 0, when the reader closes the pipe),
 * and the usage errors naming <checkpoint> or the option. Learning itself is checked in
 * train.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Linear, saveCheckpoint } from '../../lib/index.js';
import { cliPath, ensureBuilt, rnnkit } from '../helpers/dist.js';

let dir = '';
let model = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rnnkit-cli-generate-'));
  writeFileSync(join(dir, 'abc.txt'), 'abcd\n'.repeat(100));
  model = join(dir, 'model');
  const r = rnnkit(['train', join(dir, 'abc.txt'), '--hidden', '8', '--seq-len', '8', '--batch-size', '4', '--max-steps', '3', '--out', model, '--progress', 'none']);
  if (r.status !== 0) throw new Error(r.stderr);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rnnkit generate', () => {
  it('prints the prompt, then --length characters, then a newline', () => {
    const r = rnnkit(['generate', model, '--prompt', 'ab', '--length', '25']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('ab')).toBe(true);
    expect([...r.stdout].length).toBe(2 + 25 + 1);
    expect(r.stdout.slice(2, -1)).toMatch(/^[abcd\n]{25}$/);
  });

  it('never prints the special tokens, even from this undertrained model at a high temperature', () => {
    const r = rnnkit(['generate', model, '--length', '2000', '--temperature', '3', '--seed', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\n[abcd\n]{2000}\n$/); // 3 steps of training: <unk>, <eos>... would be likely
  });

  it('--length 0 prints the prompt only; --no-echo leaves it out', () => {
    expect(rnnkit(['generate', model, '--prompt', 'dc', '--length', '0']).stdout).toBe('dc\n');
    expect(rnnkit(['generate', model, '--prompt', 'dc', '--length', '0', '--no-echo']).stdout).toBe('\n');
  });

  it('the default prompt of a character model is a newline', () => {
    const r = rnnkit(['generate', model, '--length', '3', '--backend', 'js']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\n[abcd\n]{3}\n$/);
  });

  it('streams: when the reader closes the pipe it stops at once and exits 0', async () => {
    const child = spawn(process.execPath, [cliPath, 'generate', model, '--length', '10000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstBytes = await new Promise<string>((resolve) => {
      let got = '';
      child.stdout.on('data', (chunk: Buffer) => {
        got += chunk.toString();
        if (got.length >= 20) {
          child.stdout.destroy(); // the reader goes away, as `| head -c 20` does
          resolve(got);
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(firstBytes.length).toBeGreaterThanOrEqual(20);
    expect(code).toBe(0);
    expect(stderr).not.toContain('EPIPE');
  });

  it('usage errors name <checkpoint> or the option (exit 2)', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const cases: [string[], string][] = [
      [[join(dir, 'missing')], `<checkpoint> "${join(dir, 'missing')}" does not exist`],
      [[empty], `<checkpoint> "${empty}" is a directory without checkpoints`],
      [[model, '--top-p', '0'], '--top-p must be a positive number, got "0"'],
      [[model, '--top-p', '1.5'], '--top-p must be a number in (0, 1], got "1.5"'],
      [[model, '--temperature=-1'], '--temperature must be a number in [0,'],
      [[model, '--length', '1e3x'], '--length must be a non-negative integer, got "1e3x"'],
      [[model, '--top-k', '2.5'], '--top-k must be a non-negative integer, got "2.5"'],
      [[model, '--backend', 'gpu'], '--backend must be one of native, js, got "gpu"'],
      [[model, '--prompt', ''], '--prompt "" has no tokens'],
    ];
    for (const [args, message] of cases) {
      const r = rnnkit(['generate', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`rnnkit generate: ${message}`);
    }
  });

  it('a checkpoint that rnnkit train did not write: exit 2, saying so', () => {
    const other = join(dir, 'linear.safetensors');
    saveCheckpoint(other, { model: new Linear({ inFeatures: 2, outFeatures: 3 }) });
    const r = rnnkit(['generate', other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`rnnkit generate: <checkpoint> ${other} was not written by rnnkit train`);
  });
});
