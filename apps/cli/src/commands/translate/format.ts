/**
 * What a `strand translate` checkpoint holds, read from a decoded checkpoint (browser-safe: the
 * playground loads the same files): the trainer's checkpoint whose `model` is the pair adapter's
 * config `{ kind: 'translate-pair', model: <Seq2Seq or TransformerSeq2Seq config> }`, the weights
 * under `model.`, and the two tokenizers with their kind in `extra`.
 */
import type { EncoderDecoderModel } from '@strand/attention';
import { FormatError } from '@strand/base';
import { loadParameters } from '@strand/core';
import { Tokenizer } from '@strand/tokenizers';
import type { Checkpoint } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { TokenizerKind } from './data.js';
import { createTranslator, type TranslateModelConfig } from './models.js';
import { TRANSLATE_CHECKPOINT_KIND } from './pairs.js';

/** The checkpoint's `extra` as `strand translate` writes it. */
export interface TranslateExtra {
  readonly sourceTokenizer: unknown;
  readonly targetTokenizer: unknown;
  readonly tokenizer: TokenizerKind;
  readonly hyperparameters: unknown;
}

export interface TranslatorCheckpoint {
  readonly model: EncoderDecoderModel;
  readonly config: TranslateModelConfig;
  readonly sourceTokenizer: Tokenizer;
  readonly targetTokenizer: Tokenizer;
  readonly tokenizer: TokenizerKind;
  readonly step: number;
}

const FORMAT = 'strand translate checkpoint';

/**
 * The translator of a decoded checkpoint (its tensors are disposed: the model owns copies).
 * FormatError naming `source` when the checkpoint is not a `strand translate` one.
 */
export function translatorFromCheckpoint(checkpoint: Checkpoint, source?: string): TranslatorCheckpoint {
  try {
    const meta = checkpoint.meta;
    const outer = meta.model as { kind: string; model?: TranslateModelConfig };
    const extra = meta.extra as Partial<TranslateExtra> | null;
    if (outer.kind !== TRANSLATE_CHECKPOINT_KIND || !outer.model)
      throw new FormatError(FORMAT, `holds a ${outer.kind} checkpoint, not a strand translate one`, {
        ...(source === undefined ? {} : { source }),
      });
    if (
      !extra?.sourceTokenizer ||
      !extra.targetTokenizer ||
      (extra.tokenizer !== 'word' && extra.tokenizer !== 'bpe')
    )
      throw new FormatError(FORMAT, 'its extra lacks the source and target tokenizers', {
        ...(source === undefined ? {} : { source }),
      });
    const sourceTokenizer = Tokenizer.fromJSON(extra.sourceTokenizer);
    const targetTokenizer = Tokenizer.fromJSON(extra.targetTokenizer);
    const model = createTranslator(outer.model);
    const weights = new Map<string, tf.Tensor>();
    for (const [k, v] of checkpoint.tensors) if (k.startsWith('model.')) weights.set(k.slice(6), v);
    loadParameters(model.params, weights);
    return {
      model,
      config: outer.model,
      sourceTokenizer,
      targetTokenizer,
      tokenizer: extra.tokenizer,
      step: meta.step,
    };
  } finally {
    tf.dispose([...checkpoint.tensors.values()]);
  }
}
