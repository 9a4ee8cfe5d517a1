import { StrandError } from '@strand/base';
import type { BackendName } from './types.js';

/** The backend asked for cannot run here. `reason` says why, `install` what would fix it. Code `ERR_BACKEND_UNAVAILABLE`. */
export class BackendUnavailableError extends StrandError {
  override name = 'BackendUnavailableError';
  readonly backend: string;
  readonly reason: string;
  readonly install: string;
  constructor(backend: string, reason: string, install: string, options?: { cause?: unknown }) {
    super('ERR_BACKEND_UNAVAILABLE', `Backend '${backend}' is not available: ${reason}. ${install}`, options);
    this.backend = backend;
    this.reason = reason;
    this.install = install;
  }
}

/** A kernel that the selected backend does not implement; names the backends that do. Code `ERR_MISSING_KERNEL`. */
export class MissingKernelError extends StrandError {
  override name = 'MissingKernelError';
  readonly kernel: string;
  readonly backend: string;
  readonly availableOn: readonly string[];
  constructor(kernel: string, backend: string, availableOn: readonly string[]) {
    const where =
      availableOn.length > 0 ? `it is implemented on: ${availableOn.join(', ')}` : 'no loaded backend has it';
    super(
      'ERR_MISSING_KERNEL',
      `Kernel '${kernel}' is not implemented on the '${backend}' backend; ${where}. ` +
        `Choose one of those with useBackend(...) or STRAND_BACKEND.`,
    );
    this.kernel = kernel;
    this.backend = backend;
    this.availableOn = availableOn;
  }
}

/** A preference string that names no backend. Code `ERR_UNKNOWN_BACKEND`. */
export class UnknownBackendError extends StrandError {
  override name = 'UnknownBackendError';
  readonly requested: string;
  readonly known: readonly BackendName[];
  constructor(requested: string, known: readonly BackendName[]) {
    super(
      'ERR_UNKNOWN_BACKEND',
      `Unknown backend '${requested}'; expected 'auto' or one of: ${known.join(', ')}`,
    );
    this.requested = requested;
    this.known = known;
  }
}
