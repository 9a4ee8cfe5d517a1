/**
 * Emscripten's Node glue (in every tfjs-backend-wasm build) installs `process.on('uncaughtException')` and
 * `process.on('unhandledRejection')` handlers that rethrow. Once they are installed, any error the
 * application throws and does not catch is rethrown from inside the minified glue: Node prints that line
 * (about 55 KB of emscripten source) instead of the error's stack, and exits with code 7 instead of 1.
 * tfjs means to remove them on `dispose` only, and its filter of "listeners added" is broken (it keeps all).
 *
 * Here the handlers added while `start` runs (the module factory) are removed as soon as it resolves.
 * They only rethrow, so nothing is lost: the wasm module never calls `exit()`.
 */
type Listener = (...args: unknown[]) => void;
interface ProcessLike {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): void;
}
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

export async function withoutEmscriptenProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: Partial<ProcessLike> }).process;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function') return start();
  const p = proc as ProcessLike;
  const before = new Map(EVENTS.map((e) => [e, new Set(p.listeners(e))]));
  const removeAdded = () => {
    for (const e of EVENTS)
      for (const l of p.listeners(e)) if (!before.get(e)!.has(l)) p.removeListener(e, l);
  };
  try {
    return await start();
  } finally {
    removeAdded();
  }
}
