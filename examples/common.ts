/**
 * What the examples share, and nothing of their substance: command-line options with a --help
 * listing, where the shared data files are, and a stopwatch. Every model, dataset and training loop
 * stays in the example that shows it.
 *
 * Options are written `--seq-len 100` or `--seq-len=100` and arrive camel-cased (`seqLen`), typed by
 * their defaults; a boolean is `--flag` (or `--flag false`). Unknown options are errors, so a typo
 * never silently trains the wrong model.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OptionSpec<V extends number | string | boolean> {
  /** The default; its type is the option's type. */
  value: V;
  help: string;
  /** Numbers: require an integer (default false). */
  int?: boolean;
}

type Values<S> = { [K in keyof S]: S[K] extends OptionSpec<infer V> ? (V extends number ? number : V extends string ? string : boolean) : never };

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses process.argv against `spec`. `--help` prints `about`, the options and their defaults, then
 * exits. Numbers must be finite and non-negative (every example's sizes, rates and budgets are).
 */
export function parseOptions<S extends Record<string, OptionSpec<number | string | boolean>>>(about: string, spec: S, argv = process.argv.slice(2)): Values<S> {
  const byFlag = new Map(Object.keys(spec).map((key) => [kebab(key), key]));
  const values: Record<string, number | string | boolean> = Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, s.value]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      const width = Math.max(...[...byFlag.keys()].map((f) => f.length)) + 2;
      console.log(`${about}\n\noptions:`);
      for (const [flag, key] of byFlag) console.log(`  --${flag.padEnd(width)} ${spec[key]!.help} (default: ${JSON.stringify(spec[key]!.value)})`);
      process.exit(0);
    }
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const key = match ? byFlag.get(match[1]!) : undefined;
    if (match === null || key === undefined) {
      throw new RangeError(`option must be one of ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')}, got ${JSON.stringify(arg)} (--help lists them)`);
    }
    const s = spec[key]!;
    let text = match[2];
    if (text === undefined) {
      const next = argv[i + 1];
      if (typeof s.value === 'boolean' && (next === undefined || !/^(true|false)$/.test(next))) text = 'true';
      else if (next === undefined) throw new RangeError(`--${match[1]} needs a value`);
      else text = argv[++i]!;
    }
    if (typeof s.value === 'number') {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (s.int === true && !Number.isInteger(n))) {
        throw new RangeError(`--${match[1]} must be a non-negative ${s.int ? 'integer' : 'number'}, got ${JSON.stringify(text)}`);
      }
      values[key] = n;
    } else if (typeof s.value === 'boolean') {
      if (text !== 'true' && text !== 'false') throw new RangeError(`--${match[1]} must be true or false, got ${JSON.stringify(text)}`);
      values[key] = text === 'true';
    } else {
      values[key] = text;
    }
  }
  return values as Values<S>;
}

/** The repository (or installed package) root: build-examples/<file>.js sits one level below it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The path of a shared data file: `override` when given (relative to the working directory), else
 * `../shared/data/<file>` beside the working directory or beside the repository.
 */
export function dataPath(file: string, override = ''): string {
  if (override !== '') {
    if (!existsSync(override)) throw new RangeError(`--data must name an existing file, got ${JSON.stringify(override)}`);
    return resolve(override);
  }
  const candidates = [resolve(process.cwd(), '../shared/data', file), resolve(repoRoot, '../shared/data', file)];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new RangeError(`cannot find ${file}: looked for ${candidates.join(' and ')}; pass --data <path>`);
  return found;
}

/** Seconds since the stopwatch was made. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => (performance.now() - start) / 1000;
}

/** 0.9734 → "97.34%". */
export const percent = (fraction: number): string => `${(100 * fraction).toFixed(2)}%`;
