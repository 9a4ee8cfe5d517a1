import type { BackendName } from './types.js';

/** The backend asked for cannot run here. `reason` says why, `install` what would fix it. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly backend: string,
    readonly reason: string,
    readonly install: string,
  ) {
    super(`Backend '${backend}' is not available: ${reason}. ${install}`);
  }
}

/** A kernel that the selected backend does not implement; names the backends that do. */
export class MissingKernelError extends Error {
  override readonly name = 'MissingKernelError';
  constructor(
    readonly kernel: string,
    readonly backend: string,
    readonly availableOn: readonly string[],
  ) {
    const where =
      availableOn.length > 0 ? `it is implemented on: ${availableOn.join(', ')}` : 'no loaded backend has it';
    super(
      `Kernel '${kernel}' is not implemented on the '${backend}' backend; ${where}. ` +
        `Choose one of those with useBackend(...) or STRAND_BACKEND.`,
    );
  }
}

/** A preference string that names no backend. */
export class UnknownBackendError extends Error {
  override readonly name = 'UnknownBackendError';
  constructor(
    readonly requested: string,
    readonly known: readonly BackendName[],
  ) {
    super(`Unknown backend '${requested}'; expected 'auto' or one of: ${known.join(', ')}`);
  }
}
