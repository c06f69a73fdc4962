#!/usr/bin/env node
/**
 * The `rnnkit` command line (package.json "bin"): picks the subcommand and maps outcomes to exit
 * codes. Each subcommand lives in its own file and uses only the public API (../index.js).
 *
 *   0  done
 *   1  a runtime error (the message, and the stack with RNNKIT_DEBUG=1)
 *   2  a usage error: the message names the bad argument, and `--help` shows the usage
 */
import { EXIT_FAILURE, EXIT_USAGE, UsageError, type Command } from './args.js';
import { bench } from './bench.js';
import { generate } from './generate.js';
import { info } from './info.js';
import { train } from './train.js';
import { systemInfo } from '../index.js';

const COMMANDS: Command[] = [info, train, generate, bench];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: rnnkit <command> [options]',
    '',
    'Recurrent neural networks for Node.js (RNN, LSTM, GRU).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'rnnkit <command> --help describes a command; rnnkit --version prints the version.',
    'exit codes: 0 ok, 1 runtime error, 2 usage error.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
    process.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${systemInfo().version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) err.command ??= command.name;
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const where = err.command === undefined ? 'rnnkit' : `rnnkit ${err.command}`;
      process.stderr.write(`${where}: ${err.message}\n(${where} --help for usage)\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const error = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`rnnkit: ${process.env.RNNKIT_DEBUG ? error.stack : `${error.name}: ${error.message}`}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
