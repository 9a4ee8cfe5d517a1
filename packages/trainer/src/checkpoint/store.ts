/**
 * Where checkpoints go. The loop writes through this interface; `@strand/trainer/node` has a
 * directory store (atomic files), and `memoryStore` serves browsers and tests.
 */
import { InputError } from '@strand/base';
import { type Checkpoint, decodeCheckpoint } from './format.js';

export interface CheckpointStore {
  /** Steps of the complete checkpoints, ascending. */
  list(): Promise<number[]>;
  /** Stores both blobs; the checkpoint must only appear in `list` once both are complete. */
  write(step: number, json: string, bytes: Uint8Array): Promise<void>;
  read(step: number): Promise<{ json: string; bytes: Uint8Array; source: string }>;
  remove(step: number): Promise<void>;
}

/** Checkpoints in memory (a Map); for browsers, tests and short runs. */
export function memoryStore(): CheckpointStore & {
  readonly entries: Map<number, { json: string; bytes: Uint8Array }>;
} {
  const entries = new Map<number, { json: string; bytes: Uint8Array }>();
  return {
    entries,
    list: async () => [...entries.keys()].sort((a, b) => a - b),
    write: async (step, json, bytes) => {
      entries.set(step, { json, bytes: bytes.slice() });
    },
    read: async (step) => {
      const e = entries.get(step);
      if (!e)
        throw new InputError({
          what: 'checkpoint step',
          expected: `one of [${[...entries.keys()].join(', ')}]`,
          received: String(step),
        });
      return { ...e, source: `memory:step-${step}` };
    },
    remove: async (step) => {
      entries.delete(step);
    },
  };
}

/**
 * The newest checkpoint that decodes (an unreadable one, e.g. from a foreign writer, is skipped
 * in favour of the one before), or null when there is none.
 */
export async function loadLatest(
  store: CheckpointStore,
  options: { step?: number } = {},
): Promise<Checkpoint | null> {
  const steps = (await store.list())
    .filter((s) => options.step === undefined || s === options.step)
    .reverse();
  let lastError: unknown = null;
  for (const step of steps) {
    try {
      const { json, bytes, source } = await store.read(step);
      return decodeCheckpoint(json, bytes, { source });
    } catch (e) {
      lastError = e;
    }
  }
  if (lastError !== null && options.step !== undefined) throw lastError;
  return null;
}
