/**
 * lib/cli/args.ts: util.parseArgs errors turned into UsageError messages that name the option, and
 * the converters from option strings to checked values.
 */
import { describe, expect, it } from 'vitest';
import {
  UsageError, flag, helpText, integer, nonNegativeInt, numberIn, oneOf, parse, positiveInt, positiveNumber, str,
} from '../../lib/cli/args.js';

const OPTIONS = { epochs: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string', short: 'o' } } as const;

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parse', () => {
  it('values, flags, positionals and -h/--help', () => {
    const p = parse(['file.txt', '--epochs', '3', '--json', '-o', 'dir'], OPTIONS, 1);
    expect(p.positionals).toEqual(['file.txt']);
    expect(str(p, 'epochs')).toBe('3');
    expect(str(p, 'out')).toBe('dir');
    expect(flag(p, 'json')).toBe(true);
    expect(str(p, 'json')).toBeUndefined();
    expect(flag(parse(['-h'], OPTIONS, 0), 'help')).toBe(true);
    expect(flag(parse(['--help', 'a', 'b', 'c'], OPTIONS, 0), 'help')).toBe(true); // help wins over extra arguments
  });

  it('errors name the option or argument', () => {
    expect(usageMessage(() => parse(['--bogus'], OPTIONS, 0))).toBe('unknown option --bogus');
    expect(usageMessage(() => parse(['-x'], OPTIONS, 0))).toBe('unknown option -x');
    expect(usageMessage(() => parse(['--epochs'], OPTIONS, 0))).toBe('--epochs needs a value');
    expect(usageMessage(() => parse(['--epochs', '-3'], OPTIONS, 0))).toBe("--epochs needs a value; write --epochs=<value> for one that starts with '-'");
    expect(usageMessage(() => parse(['--json=1'], OPTIONS, 0))).toBe('--json takes no value');
    expect(usageMessage(() => parse(['a', 'b'], OPTIONS, 1))).toBe('unexpected argument "b"');
  });
});

describe('converters', () => {
  it('return the fallback when the option is absent', () => {
    expect(positiveInt('n', undefined, 7)).toBe(7);
    expect(nonNegativeInt('n', undefined, 0)).toBe(0);
    expect(integer('n', undefined, -2)).toBe(-2);
    expect(numberIn('p', undefined, 0.5, 0, 1)).toBe(0.5);
    expect(positiveNumber('lr', undefined, 0.1)).toBe(0.1);
    expect(oneOf('cell', undefined, 'lstm', ['lstm', 'gru'])).toBe('lstm');
  });

  it('accept good values', () => {
    expect(positiveInt('n', '12', 1)).toBe(12);
    expect(nonNegativeInt('n', '0', 1)).toBe(0);
    expect(integer('seed', '-5', 0)).toBe(-5);
    expect(numberIn('p', '0.25', 0, 0, 1, true)).toBe(0.25);
    expect(positiveNumber('lr', '2e-3', 1)).toBe(0.002);
    expect(oneOf('cell', 'gru', 'lstm', ['lstm', 'gru'])).toBe('gru');
  });

  it('reject bad values naming the option, what was expected and what was given', () => {
    expect(usageMessage(() => positiveInt('epochs', '0', 1))).toBe('--epochs must be a positive integer, got "0"');
    expect(usageMessage(() => positiveInt('epochs', '1.5', 1))).toBe('--epochs must be a positive integer, got "1.5"');
    expect(usageMessage(() => positiveInt('epochs', '', 1))).toBe('--epochs must be a positive integer, got ""');
    expect(usageMessage(() => positiveInt('epochs', ' ', 1))).toBe('--epochs must be a positive integer, got " "');
    expect(usageMessage(() => nonNegativeInt('keep', '-1', 1))).toBe('--keep must be a non-negative integer, got "-1"');
    expect(usageMessage(() => integer('seed', '1e400', 1))).toBe('--seed must be an integer, got "1e400"');
    expect(usageMessage(() => numberIn('dropout', '1', 0, 0, 1, true))).toBe('--dropout must be a number in [0, 1), got "1"');
    expect(usageMessage(() => numberIn('x', 'NaN', 0, 0, 1))).toBe('--x must be a number in [0, 1], got "NaN"');
    expect(usageMessage(() => positiveNumber('lr', 'Infinity', 1))).toBe('--lr must be a positive number, got "Infinity"');
    expect(usageMessage(() => oneOf('cell', 'lsmt', 'lstm', ['lstm', 'gru']))).toBe('--cell must be one of lstm, gru, got "lsmt"');
  });
});

describe('helpText', () => {
  it('the usage line, a blank line, the body without surrounding blank lines, a final newline', () => {
    expect(helpText('rnnkit x', '\n\nbody line\n\n')).toBe('usage: rnnkit x\n\nbody line\n');
  });
});
