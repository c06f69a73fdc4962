/**
 * `rnnkit bench` (lib/cli/bench.ts), the compiled CLI in a child process, in its --quick mode: a row
 * per case, one column pair per backend, the ratio when both run, JSON output; no timing is asserted
 * beyond "a positive number".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isNativeAvailable } from '../../lib/index.js';
import { ensureBuilt, rnnkit } from '../helpers/dist.js';

const CASES = ['lstm-infer', 'lstm-train', 'gru-train', 'char-lm-step'];

beforeAll(() => ensureBuilt(), 240_000);

describe('rnnkit bench --quick', () => {
  it('--backends js: the table has a row per case with ms and tok/s, and says where the full bench is', () => {
    const r = rnnkit(['bench', '--quick', '--backends', 'js']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^rnnkit \S+ bench \(quick: small shapes, a smoke test\): /);
    const header = lines.find((l) => l.startsWith('case'))!;
    expect(header.trim().split(/ {2,}/)).toEqual(['case', 'js ms', 'js tok/s']);
    for (const title of ['LSTM forward T=', 'LSTM forward+backward T=', 'GRU forward+backward T=', 'char LM training step V=65']) {
      const row = lines.find((l) => l.startsWith(title));
      expect(row, title).toBeDefined();
      expect(row).toMatch(/ {2,}\d+\.\d{2} {2,}[\d,]+$/);
    }
    expect(r.stdout).toContain('`npm run bench` in the rnnkit repository');
  });

  it('--json: one result per case and backend, positive times', () => {
    const r = rnnkit(['bench', '--quick', '--backends', 'js', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { quick: boolean; results: { case: string; backend: string; medianMs: number; reps: number; tokensPerSecond: number }[] };
    expect(out.quick).toBe(true);
    expect(out.results.map((x) => x.case)).toEqual(CASES);
    for (const x of out.results) {
      expect(x.backend).toBe('js');
      expect(x.medianMs).toBeGreaterThan(0);
      expect(x.reps).toBeGreaterThanOrEqual(3);
      expect(x.tokensPerSecond).toBeGreaterThan(0);
    }
  });

  it.runIf(isNativeAvailable())('both backends: native and js columns and their ratio', () => {
    const r = rnnkit(['bench', '--quick']);
    expect(r.status, r.stderr).toBe(0);
    const header = r.stdout.split('\n').find((l) => l.startsWith('case'))!;
    expect(header.trim().split(/ {2,}/)).toEqual(['case', 'native ms', 'native tok/s', 'js ms', 'js tok/s', 'native/js']);
    expect(r.stdout).toMatch(/^LSTM forward\+backward .* \d+\.\dx$/m);
  });

  it('--backends with an unknown name: exit 2 naming it', () => {
    const r = rnnkit(['bench', '--backends', 'js,cuda']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('rnnkit bench: --backends must be a list of native, js, got "js,cuda"');
  });
});
