#!/usr/bin/env node
/**
 * `strand`: train and sample sequence models on real data sets, each result beside its baseline and
 * its published anchor. Subcommands live in ./commands, one file each; the frame (common options,
 * output, errors, plots) in ./frame.
 */
import { Command, CommanderError } from 'commander';
import { gradientsCommand } from './commands/gradients.js';
import { lmCommand } from './commands/lm.js';
import { musicCommand } from './commands/music.js';
import { namesCommand } from './commands/names.js';
import { sentimentCommand } from './commands/sentiment.js';
import { tagCommand } from './commands/tag.js';
import { translateCommand } from './commands/translate.js';
import { describeFailure } from './frame/errors.js';

export function createProgram(): Command {
  const program = new Command('strand')
    .description('Sequence models on real data sets, beside their baselines (Strand demo command line)')
    .enablePositionalOptions() // an option belongs to the (sub)command it follows
    .exitOverride();
  lmCommand(program);
  gradientsCommand(program);
  tagCommand(program);
  musicCommand(program);
  namesCommand(program);
  translateCommand(program);
  sentimentCommand(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  const override = (c: Command): void => {
    c.exitOverride();
    for (const sub of c.commands) override(sub);
  };
  override(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander already printed one line
    const failure = describeFailure(error);
    process.stderr.write(`strand: ${failure.line}\n`);
    if (failure.stack && process.env['STRAND_DEBUG']) process.stderr.write(`${failure.stack}\n`);
    return failure.code;
  }
}

// Run when executed (the bin, or `node dist/main.js`), not when imported by tests.
const invoked = process.argv[1];
if (invoked && import.meta.url === new URL(`file://${invoked}`).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
