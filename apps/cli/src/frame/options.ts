/**
 * The options every subcommand takes, parsed by commander and validated here, so that a bad value
 * is one clear line before any work starts.
 */
import { BACKEND_NAMES } from '@strand/backend';
import { type Command, InvalidArgumentError, Option } from 'commander';

export interface CommonOptions {
  readonly backend: string;
  readonly seed: number;
  readonly dataDir: string | undefined;
  readonly out: string;
  readonly resume: boolean;
  readonly json: boolean;
  readonly steps: number | undefined;
  readonly minutes: number | undefined;
}

export function parseInteger(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, received '${value}'`);
    return n;
  };
}

export function parseNumber(min: number, max = Number.POSITIVE_INFINITY, inclusiveMin = true) {
  return (value: string): number => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (inclusiveMin ? n >= min : n > min) && n <= max;
    if (!ok) {
      const range = `${inclusiveMin ? '[' : '('}${min}, ${max === Number.POSITIVE_INFINITY ? '∞)' : `${max}]`}`;
      throw new InvalidArgumentError(`expected a number in ${range}, received '${value}'`);
    }
    return n;
  };
}

export function parseChoice<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, received '${value}'`);
    return value as T;
  };
}

/** Adds the common options; `defaults` are the subcommand's own budgets and output folder. */
export function addCommonOptions(
  command: Command,
  defaults: { readonly out: string; readonly steps?: number; readonly minutes?: number },
): Command {
  return command
    .addOption(
      new Option('--backend <name>', 'tensor backend: auto, or one of the named')
        .choices(['auto', ...BACKEND_NAMES])
        .default(process.env['STRAND_BACKEND'] ?? 'auto', '$STRAND_BACKEND, else auto'),
    )
    .option('--seed <n>', 'random seed (same seed, same run)', parseInteger(0), 0)
    .option(
      '--data-dir <dir>',
      'data sets folder (default: $STRAND_DATA_DIR, else ../shared/data, else a download cache)',
    )
    .option('--out <dir>', 'where checkpoints, metrics and plots go', defaults.out)
    .option('--resume', 'continue the run saved in --out', false)
    .option('--json', 'print one machine-readable result on stdout (everything else goes to stderr)', false)
    .option(
      '--steps <n>',
      `training step budget${defaults.steps ? ` (default ${defaults.steps})` : ''}`,
      parseInteger(1),
    )
    .option(
      '--minutes <m>',
      `training time budget${defaults.minutes ? ` (default ${defaults.minutes})` : ''}`,
      parseNumber(0, 24 * 60, false),
    );
}

/** Commander's parsed options, typed. */
export function commonOptions(raw: Record<string, unknown>): CommonOptions {
  return {
    backend: String(raw['backend']),
    seed: Number(raw['seed']),
    dataDir: raw['dataDir'] as string | undefined,
    out: String(raw['out']),
    resume: Boolean(raw['resume']),
    json: Boolean(raw['json']),
    steps: raw['steps'] as number | undefined,
    minutes: raw['minutes'] as number | undefined,
  };
}
