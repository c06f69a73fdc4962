/**
 * Argument handling shared by the `rnnkit` subcommands: Node's util.parseArgs with its errors turned
 * into UsageError (exit code 2) that name the bad argument, and converters from option strings to
 * checked numbers and choices (`--epochs must be a positive integer, got "x"`).
 *
 * A subcommand is { name, summary, help, run(argv) → exit code }; main.ts dispatches to it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes of the command line. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line (exit code 2). The message names the argument. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The subcommand whose arguments were wrong (set by main.ts). */
  command?: string;
}

export interface Command {
  name: string;
  /** One line for `rnnkit --help`. */
  summary: string;
  /** The full `rnnkit <name> --help` text. */
  help: string;
  /** Runs the command; resolves to the exit code. Throws UsageError for bad arguments. */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parse() gives: option values by name (strings, booleans) and the positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * util.parseArgs in strict mode plus --help/-h, with its errors as UsageError ("unknown option
 * --foo", "--epochs needs a value", "unexpected argument x"); at most `maxPositionals` positionals.
 */
export function parse(argv: string[], options: Options, maxPositionals: number): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    throw new UsageError(describeParseError(err as Error & { code?: string }));
  }
  if (parsed.values.help !== true && parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`);
  }
  return parsed;
}

/** An option's string value (undefined when not given). */
export function str(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag's value. */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** parseArgs' messages, shortened to name the option first. */
function describeParseError(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return `${option} needs a value`;
      if (/ambiguous/.test(err.message)) return `${option} needs a value; write ${option}=<value> for one that starts with '-'`;
      return `${option ?? 'an option'} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? err.message}`;
    default:
      return err.message;
  }
}

/** `--name` as a number meeting `test`; `expected` says what is wanted. */
function number(name: string, raw: string, expected: string, test: (n: number) => boolean): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!test(value)) throw new UsageError(`--${name} must be ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  return raw === undefined ? fallback : number(name, raw, 'a positive integer', (n) => Number.isInteger(n) && n > 0);
}

export function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  return raw === undefined ? fallback : number(name, raw, 'a non-negative integer', (n) => Number.isInteger(n) && n >= 0);
}

export function integer(name: string, raw: string | undefined, fallback: number): number {
  return raw === undefined ? fallback : number(name, raw, 'an integer', (n) => Number.isSafeInteger(n));
}

/** A number in [lo, hi] (or [lo, hi) when hiOpen). */
export function numberIn(name: string, raw: string | undefined, fallback: number, lo: number, hi: number, hiOpen = false): number {
  if (raw === undefined) return fallback;
  const range = `${lo}, ${hi}${hiOpen ? ')' : ']'}`;
  return number(name, raw, `a number in [${range}`, (n) => n >= lo && (hiOpen ? n < hi : n <= hi));
}

/** A number > 0. */
export function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  return raw === undefined ? fallback : number(name, raw, 'a positive number', (n) => Number.isFinite(n) && n > 0);
}

export function oneOf<T extends string>(name: string, raw: string | undefined, fallback: T, allowed: readonly T[]): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

/** Formats a help text: the usage line, a blank line, then the body. */
export function helpText(usage: string, body: string): string {
  return `usage: ${usage}\n\n${body.replace(/^\n+|\n+$/g, '')}\n`;
}
