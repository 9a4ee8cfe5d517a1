/**
 * Where a command's words go. With `--json` stdout carries exactly one JSON document (the result)
 * and everything meant for people goes to stderr; without it the report goes to stdout. Progress
 * always goes to stderr.
 */
export interface Output {
  /** A line for people: the report, notes. */
  say(line?: string): void;
  /** A line of progress or a warning: always stderr. */
  note(line: string): void;
  /** The machine-readable result; printed only with --json. */
  result(value: unknown): void;
  readonly json: boolean;
  /** Whether stderr is a terminal (progress bars), else plain periodic lines. */
  readonly interactive: boolean;
  readonly stderr: NodeJS.WritableStream;
}

export function createOutput(
  json: boolean,
  streams = { stdout: process.stdout, stderr: process.stderr },
): Output {
  const { stdout, stderr } = streams;
  return {
    json,
    interactive: Boolean((stderr as NodeJS.WriteStream).isTTY) && process.env['CI'] !== 'true',
    stderr,
    say(line = '') {
      (json ? stderr : stdout).write(`${line}\n`);
    },
    note(line: string) {
      stderr.write(`${line}\n`);
    },
    result(value: unknown) {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** A plain-text table with aligned columns (the final reports). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
