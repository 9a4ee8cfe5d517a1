/**
 * Loading a `strand translate` checkpoint from its folder: the newest checkpoint of the directory
 * store, read by format.ts (the browser-safe part the playground shares).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@strand/base';
import { loadLatest } from '@strand/trainer';
import { directoryStore } from '@strand/trainer/node';
import { UsageError } from '../../frame/errors.js';
import { type TranslatorCheckpoint, translatorFromCheckpoint } from './format.js';

export type { TranslateExtra } from './format.js';

export interface LoadedTranslator extends TranslatorCheckpoint {
  readonly dir: string;
}

/** @param path a run's output folder (<out>/<model>) or its checkpoints folder */
export async function loadTranslator(path: string): Promise<LoadedTranslator> {
  const dir = existsSync(join(path, 'checkpoints')) ? join(path, 'checkpoints') : path;
  const checkpoint = await loadLatest(directoryStore(dir));
  if (!checkpoint)
    throw new UsageError(`no checkpoint in ${dir} (train one first: strand translate --model ...)`);
  try {
    return { ...translatorFromCheckpoint(checkpoint, dir), dir };
  } catch (e) {
    if (e instanceof FormatError) throw new UsageError(e.message);
    throw e;
  }
}
