/**
 * Loading a `strand translate` checkpoint: the model config and weights the trainer saved, and the
 * two tokenizers (stored as the checkpoint's `extra`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EncoderDecoderModel } from '@strand/attention';
import { loadParameters } from '@strand/core';
import { Tokenizer } from '@strand/tokenizers';
import { loadLatest } from '@strand/trainer';
import { directoryStore } from '@strand/trainer/node';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../frame/errors.js';
import type { TokenizerKind } from './data.js';
import { createTranslator, type TranslateModelConfig } from './models.js';

export interface TranslateExtra {
  readonly sourceTokenizer: unknown;
  readonly targetTokenizer: unknown;
  readonly tokenizer: TokenizerKind;
  readonly hyperparameters: unknown;
}

export interface LoadedTranslator {
  readonly model: EncoderDecoderModel;
  readonly config: TranslateModelConfig;
  readonly sourceTokenizer: Tokenizer;
  readonly targetTokenizer: Tokenizer;
  readonly tokenizer: TokenizerKind;
  readonly step: number;
  readonly dir: string;
}

/** @param path a run's output folder (<out>/<model>) or its checkpoints folder */
export async function loadTranslator(path: string): Promise<LoadedTranslator> {
  const dir = existsSync(join(path, 'checkpoints')) ? join(path, 'checkpoints') : path;
  const checkpoint = await loadLatest(directoryStore(dir));
  if (!checkpoint)
    throw new UsageError(`no checkpoint in ${dir} (train one first: strand translate --model ...)`);
  const meta = checkpoint.meta;
  const outer = meta.model as { kind: string; model?: TranslateModelConfig };
  const extra = meta.extra as TranslateExtra | null;
  if (outer.kind !== 'translate-pair' || !outer.model || !extra?.sourceTokenizer) {
    tf.dispose([...checkpoint.tensors.values()]);
    throw new UsageError(`${dir} holds a ${outer.kind} checkpoint, not a strand translate one`);
  }
  const model = createTranslator(outer.model);
  const weights = new Map<string, tf.Tensor>();
  for (const [k, v] of checkpoint.tensors) if (k.startsWith('model.')) weights.set(k.slice(6), v);
  loadParameters(model.params, weights);
  tf.dispose([...checkpoint.tensors.values()]);
  return {
    model,
    config: outer.model,
    sourceTokenizer: Tokenizer.fromJSON(extra.sourceTokenizer),
    targetTokenizer: Tokenizer.fromJSON(extra.targetTokenizer),
    tokenizer: extra.tokenizer,
    step: meta.step,
    dir,
  };
}
