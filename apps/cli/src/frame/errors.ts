import { StrandError } from '@strand/base';

/** A command line that cannot run: a bad argument value or a missing input. Exit code 2. */
export class UsageError extends StrandError {
  override name = 'UsageError';
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/**
 * The one line a user sees for an error, and the exit code: 2 for usage errors (bad arguments,
 * missing data), 1 for anything else a Strand package raised. Unexpected errors keep their stack
 * (they are bugs), shown only with STRAND_DEBUG=1.
 */
export function describeFailure(error: unknown): { line: string; code: number; stack?: string } {
  if (error instanceof UsageError) return { line: error.message, code: 2 };
  if (error instanceof StrandError) {
    const usage = error.code === 'ERR_CONFIG' || error.code === 'ERR_DATA_NOT_FOUND';
    return { line: error.message, code: usage ? 2 : 1 };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { line: `unexpected ${e.name}: ${e.message}`, code: 1, stack: e.stack };
}
