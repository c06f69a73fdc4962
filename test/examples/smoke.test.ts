/**
 * Every runnable example (examples/*.ts) compiles and runs end to end as a user runs it: compiled to
 * build-examples/, importing 'rnnkit' (the package's self-reference, dist/), in a child process, on a
 * tiny budget (`--steps` and small sizes). Each must exit with status 0 and print its metric line
 * with a finite number. The numbers themselves are not asserted: a few steps train nothing, and the
 * examples' real results come from full runs (README).
 *
 * dist/ is rebuilt only when a source in lib/ is newer than it (CI builds it at install), so this
 * file does not rewrite dist/ under other test files that run the compiled package in parallel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const scratch = mkdtempSync(join(tmpdir(), 'rnnkit-examples-'));

function newestSource(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return path.endsWith('.ts') ? stats.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

beforeAll(() => {
  const built = join(root, 'dist', 'index.js');
  const stale = !existsSync(built) || Math.max(newestSource(join(root, 'lib')), statSync(join(root, 'tsconfig.json')).mtimeMs) > statSync(built).mtimeMs;
  if (stale) execFileSync(tsc, ['-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  execFileSync(tsc, ['-p', 'examples/tsconfig.json'], { cwd: root, stdio: 'pipe' });
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  /** build-examples/<file>.js */
  file: string;
  args: string[];
  /** Metric lines: the first group of each must be a finite number. */
  metrics: RegExp[];
}

const number = String.raw`(-?[\d.]+(?:e[-+]?\d+)?)`;
const cases: Case[] = [
  { file: 'quickstart', args: ['--steps', '3'], metrics: [new RegExp(`held-out accuracy: ${number}%`)] },
  {
    file: 'adding',
    args: ['--steps', '4', '--eval-every', '2', '--T', '10', '--hidden', '4', '--batch', '8'],
    metrics: [new RegExp(`lstm\\s+MSE ${number}`), new RegExp(`rnn\\s+MSE ${number}`)],
  },
  { file: 'digits', args: ['--steps', '3', '--hidden', '8'], metrics: [new RegExp(`test accuracy: ${number}%`)] },
  {
    file: 'forecast',
    args: ['--steps', '3', '--hidden', '4'],
    metrics: [new RegExp(`LSTM\\s+RMSE\\s+${number}\\s+MAE\\s+${number}`), new RegExp(`naive.*RMSE\\s+${number}`)],
  },
  {
    file: 'sentiment',
    args: ['--steps', '3', '--train', '300', '--test', '60', '--hidden', '8', '--embedding', '8'],
    metrics: [new RegExp(`LSTM\\s+${number}%`), new RegExp(`bag of words\\s+${number}%`)],
  },
  {
    file: 'tagger',
    args: ['--steps', '3', '--train', '200', '--test', '60', '--hidden', '8', '--embedding', '8'],
    metrics: [new RegExp(`token accuracy ${number}%`), new RegExp(`all\\s+${number}%\\s+${number}%\\s+${number}%`)],
  },
  {
    file: 'dates',
    args: ['--steps', '3', '--train', '200', '--test', '20', '--hidden', '8', '--embedding', '8', '--beam', '2'],
    metrics: [new RegExp(`greedy\\s+exact match ${number}%`), new RegExp(`beam \\(width 2\\)\\s+exact match ${number}%`)],
  },
  {
    file: 'char_rnn',
    args: ['--steps', '3', '--hidden', '16', '--layers', '1', '--embedding', '8', '--val-fraction', '0.01', '--sample', '20', '--out', join(scratch, 'char-rnn.safetensors')],
    metrics: [new RegExp(`validation loss ${number} nats/char`), new RegExp(`throughput: ${number} tokens/s`)],
  },
];

describe('examples run end to end on a tiny budget', () => {
  it('covers every example file', () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts') && f !== 'common.ts').map((f) => f.slice(0, -3));
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
  });

  for (const c of cases) {
    it(`${c.file} ${c.args.join(' ')}`, () => {
      const run = spawnSync(process.execPath, [join(root, 'build-examples', `${c.file}.js`), ...c.args], {
        cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' },
      });
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, `${c.file} exited with ${run.status} (${run.signal ?? 'no signal'}):\n${output}`).toBe(0);
      for (const metric of c.metrics) {
        const match = metric.exec(run.stdout);
        expect(match, `${c.file} printed no line matching ${metric}:\n${run.stdout}`).not.toBeNull();
        for (const value of match!.slice(1)) expect(Number.isFinite(Number(value)), `${metric} read ${value}`).toBe(true);
      }
    }, 60_000);
  }
});
