/**
 * `rnnkit train` end to end, the compiled CLI in a child process: a character model learns a text
 * whose continuation is known ("hello world\n" repeated: greedy sampling after "hello" must give
 * " world\nhello world"), a word model likewise, checkpoints in --out carry everything generate
 * needs, and a run stopped mid-epoch and resumed ends with exactly the losses of an uninterrupted
 * run (js backend). Arguments that contradict a checkpoint, or an --out that already holds another
 * run, are usage errors naming the argument.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../lib/index.js';
import { cliPath, ensureBuilt, rnnkit } from '../helpers/dist.js';

let dir = '';
const SMALL = ['--hidden', '32', '--seq-len', '16', '--batch-size', '8', '--lr', '0.01', '--progress', 'lines'];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rnnkit-cli-train-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello world\n'.repeat(200)); // 2400 characters
  writeFileSync(join(dir, 'cat.txt'), 'the cat sat on the mat .\n'.repeat(150)); // 1050 words
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The summary line's values: `trained N steps (...)  loss x  perplexity y  valLoss z ...`. */
function summary(stdout: string): Record<string, number> {
  const line = stdout.split('\n').find((l) => l.startsWith('trained '))!;
  const values: Record<string, number> = { steps: Number(/trained (\d+) steps/.exec(line)![1]) };
  for (const [, key, value] of line.matchAll(/ {2}(\w+) ([\d.]+)/g)) values[key!] = Number(value);
  return values;
}

describe('rnnkit train, then rnnkit generate', () => {
  it('a character model learns "hello world" and generate continues it greedily', () => {
    const out = join(dir, 'hello-model');
    const train = rnnkit(['train', join(dir, 'hello.txt'), ...SMALL, '--epochs', '8', '--out', out]);
    expect(train.status, train.stderr).toBe(0);
    // Progress on stderr: the data summary, step lines, one line per epoch.
    expect(train.stderr).toMatch(/rnnkit train: 2400 char tokens \(vocabulary 13\), 17 batches of 8×16 per epoch, 240 tokens for validation/);
    expect(train.stderr).toMatch(/^epoch 1\/8 {2}step \d+\/17/m);
    expect(train.stderr).toMatch(/^epoch 8\/8 {2}loss [\d.]+ {2}perplexity [\d.]+ {2}valLoss [\d.]+ {2}valPerplexity/m);
    const s = summary(train.stdout);
    expect(s.steps).toBe(8 * 17);
    expect(s.valLoss).toBeLessThan(0.1); // the text is deterministic but for its first character
    // Checkpoints after each epoch, the last 3 kept; stdout names the final one.
    const files = readdirSync(out).filter((f) => f.endsWith('.safetensors')).sort();
    expect(files).toEqual(['checkpoint-00000102.safetensors', 'checkpoint-00000119.safetensors', 'checkpoint-00000136.safetensors']);
    expect(train.stdout).toContain(`checkpoint: ${join(out, 'checkpoint-00000136.safetensors')}\n`);
    const checkpoint = readCheckpoint(join(out, files[2]!));
    expect(checkpoint.config).toMatchObject({ kind: 'rnnkit-cli-language-model/1', model: { vocabSize: 13, hiddenSize: 32, embeddingDim: 32, cell: 'lstm' } });
    expect(checkpoint.vocab).toMatchObject({ format: 'rnnkit.tokenizer', type: 'char' });

    const generate = rnnkit(['generate', out, '--prompt', 'hello', '--temperature', '0', '--length', '18']);
    expect(generate.status, generate.stderr).toBe(0);
    expect(generate.stdout).toBe('hello world\nhello world\n'); // prompt + 18 characters + a final newline
    const quiet = rnnkit(['generate', join(out, files[2]!), '--prompt', 'hello', '--temperature', '0', '--length', '6', '--no-echo']);
    expect(quiet.stdout).toBe(' world\n'); // a file works as well as the directory
  });

  it('sampling is seeded: the same --seed gives the same text, another seed another text', () => {
    const out = join(dir, 'hello-model');
    const a = rnnkit(['generate', out, '--length', '40', '--temperature', '1.5', '--seed', '7']);
    const b = rnnkit(['generate', out, '--length', '40', '--temperature', '1.5', '--seed', '7']);
    const c = rnnkit(['generate', out, '--length', '40', '--temperature', '1.5', '--seed', '8']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    expect(a.stdout.length).toBeGreaterThanOrEqual(42); // "\n" prompt + 40 characters + "\n"
    expect(a.stdout).toMatch(/^[helo wrd\n]+$/); // only characters of the text, no special tokens
  });

  it('a word model: --tokenizer word, generate joins the words with spaces', () => {
    const out = join(dir, 'cat-model');
    const train = rnnkit(['train', join(dir, 'cat.txt'), ...SMALL, '--tokenizer', 'word', '--epochs', '20', '--out', out, '--progress', 'none']);
    expect(train.status, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/rnnkit train: 1050 word tokens \(vocabulary 10\)/); // 6 words + 4 specials
    const generate = rnnkit(['generate', out, '--prompt', 'on the', '--temperature', '0', '--length', '6']);
    expect(generate.status, generate.stderr).toBe(0);
    expect(generate.stdout).toBe('on the mat . the cat sat on\n'); // the prompt, then 6 words
  });

  it('--resume after a stop mid-epoch ends exactly as an uninterrupted run (js backend)', () => {
    const text = join(dir, 'hello.txt');
    const options = [...SMALL, '--backend', 'js', '--dropout', '0.1', '--progress', 'none'];
    const straight = rnnkit(['train', text, ...options, '--epochs', '3', '--out', join(dir, 'straight')]);
    expect(straight.status, straight.stderr).toBe(0);

    const resumed = join(dir, 'resumed');
    const first = rnnkit(['train', text, ...options, '--epochs', '3', '--max-steps', '25', '--out', resumed]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^trained 25 steps \(1 epoch, stopped: maxSteps\)/); // mid epoch 2
    expect(existsSync(join(resumed, 'checkpoint-00000025.safetensors'))).toBe(true);
    // Nothing but --resume: the options, --epochs included, come from the checkpoint.
    const second = rnnkit(['train', text, '--out', resumed, '--resume', '--backend', 'js', '--progress', 'none']); // --epochs 3 kept
    expect(second.status, second.stderr).toBe(0);

    expect(summary(second.stdout)).toEqual(summary(straight.stdout));
    const a = readCheckpoint(join(dir, 'straight', 'checkpoint-00000051.safetensors'));
    const b = readCheckpoint(join(resumed, 'checkpoint-00000051.safetensors'));
    for (const [name, t] of Object.entries(a.weights)) expect(b.weights[name]!.data, name).toEqual(t.data);
  });

  it('Ctrl-C (SIGINT) finishes the step, saves a checkpoint, exits 130; --resume continues from it', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [cliPath, 'train', join(dir, 'hello.txt'), ...SMALL, '--epochs', '100000', '--out', out, '--progress', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((resolve) => child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('"event":"step"')) resolve(); // training is under way
    }));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stdout).toMatch(/^trained (\d+) steps \(\d+ epochs?, stopped: interrupted\)/);
    const steps = Number(/^trained (\d+)/.exec(stdout)![1]);
    expect(stdout).toContain(`checkpoint: ${join(out, `checkpoint-${String(steps).padStart(8, '0')}.safetensors`)}`);
    const resumed = rnnkit(['train', join(dir, 'hello.txt'), '--out', out, '--resume', '--max-steps', String(steps + 20), '--progress', 'none']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(summary(resumed.stdout).steps).toBe(steps + 20); // past the end of the interrupted epoch
  });

  it('--resume with no checkpoint yet starts a new run and says so', () => {
    const out = join(dir, 'fresh');
    const r = rnnkit(['train', join(dir, 'hello.txt'), ...SMALL, '--max-steps', '2', '--out', out, '--resume', '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no checkpoint in ${out} yet: starting a new run`);
    expect(summary(r.stdout).steps).toBe(2);
  });

  it('usage errors about checkpoints name the argument (exit 2)', () => {
    const out = join(dir, 'hello-model');
    const again = rnnkit(['train', join(dir, 'hello.txt'), '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`rnnkit train: --out ${out} already holds checkpoints`);
    expect(again.stderr).toContain('pass --resume');

    const other = rnnkit(['train', join(dir, 'hello.txt'), '--out', out, '--resume', '--hidden', '64']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('rnnkit train: --hidden 64 differs from 32 in the checkpoint');

    const otherText = rnnkit(['train', join(dir, 'cat.txt'), '--out', out, '--resume']);
    expect(otherText.status).toBe(2);
    expect(otherText.stderr).toContain('rnnkit train: <text-file> ');
    expect(otherText.stderr).toContain('is not the text the checkpoint');
  });

  it.each([
    [['--tokenizer', 'bpe'], '--tokenizer must be one of char, word, got "bpe"'],
    [['--cell', 'transformer'], '--cell must be one of lstm, gru, rnn, got "transformer"'],
    [['--dropout', '1'], '--dropout must be a number in [0, 1), got "1"'],
    [['--lr=-1'], '--lr must be a positive number, got "-1"'],
    [['--lr', '-1'], "--lr needs a value; write --lr=<value> for one that starts with '-'"],
    [['--tie', '--hidden', '16', '--embedding', '8'], '--tie needs --embedding equal to --hidden (16), got --embedding 8'],
    [['--lowercase'], '--lowercase needs --tokenizer word'],
    [['--max-vocab', '3'], '--max-vocab must be at least 5'],
    [['--batch-size', '5000'], '--batch-size 5000 needs at least 5001 training tokens'],
    [['--progress', 'fancy'], '--progress must be one of auto, bar, lines, json, none, got "fancy"'],
  ])('bad option %j: exit 2 naming it', (extra, message) => {
    const r = rnnkit(['train', join(dir, 'hello.txt'), '--out', join(dir, 'never'), ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`rnnkit train: ${message}`);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('a missing text file: exit 2 naming <text-file>', () => {
    const r = rnnkit(['train', join(dir, 'nope.txt')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`rnnkit train: <text-file> "${join(dir, 'nope.txt')}" is not a readable file`);
  });
});
