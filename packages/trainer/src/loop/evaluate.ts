/**
 * Held-out evaluation of language models over contiguous streams (the validation loss the loop
 * reports). One device read per chunk (its mean loss); `streamLoss`/`lmEvaluator` read
 * synchronously (cpu, wasm), `streamLossAsync`/`lmEvaluatorAsync` asynchronously (every backend,
 * WebGPU included), with the same values.
 */
import { lmStreams } from '@strand/data';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model.js';
import { tidy } from '../models/common.js';
import { type Reads, readAsync, readSync } from '../reads.js';
import { type LossFn, tokenCrossEntropy } from './loss.js';

export interface StreamLossOptions {
  /** Parallel streams. Default 16. */
  readonly batchSize?: number;
  /** Steps per forward call; the state is carried between chunks. Default 256. */
  readonly chunkLength?: number;
}

export interface StreamLossResult {
  /** Mean negative log-likelihood per token, nats. */
  readonly loss: number;
  readonly perplexity: number;
  /** Bits per token. */
  readonly bits: number;
  readonly tokens: number;
}

/**
 * Mean negative log-likelihood per token of `ids` (nats), read as `batchSize` contiguous streams
 * with the state carried across chunks (as PyTorch's word_language_model evaluates), so only the
 * first token of each stream lacks context. Also returns perplexity and bits per token.
 */
export function streamLoss(
  model: TrainableModel,
  ids: Int32Array,
  options: StreamLossOptions = {},
): StreamLossResult {
  return readSync(streamLossSteps(model, ids, options));
}

/** `streamLoss` reading asynchronously: the same values, on every backend (WebGPU included). */
export function streamLossAsync(
  model: TrainableModel,
  ids: Int32Array,
  options: StreamLossOptions = {},
): Promise<StreamLossResult> {
  return readAsync(streamLossSteps(model, ids, options));
}

/** The evaluation, yielding its reads (see ../reads.ts). */
function* streamLossSteps(
  model: TrainableModel,
  ids: Int32Array,
  { batchSize = 16, chunkLength = 256 }: StreamLossOptions,
): Reads<StreamLossResult> {
  const streams = lmStreams(ids, { batchSize, chunkLength });
  let state = model.initialState(batchSize);
  let total = 0;
  let tokens = 0;
  try {
    for (let i = 0; i < streams.numChunks; i++) {
      const c = streams.chunk(i);
      const { next, loss } = tidy(() => {
        const r = model.forward(tf.tensor2d(c.inputs, [c.batch, c.length], 'int32'), state, {
          training: false,
        });
        const l = tokenCrossEntropy(
          r.logits,
          tf.tensor2d(c.targets, [c.batch, c.length], 'int32'),
          undefined,
        );
        return { next: model.keepState(r.state), loss: l };
      });
      model.disposeState(state);
      state = next;
      total += (yield loss)[0]! * c.batch * c.length;
      tokens += c.batch * c.length;
    }
  } finally {
    model.disposeState(state);
  }
  const loss = total / tokens;
  return { loss, perplexity: Math.exp(loss), bits: loss / Math.LN2, tokens };
}

/** An `evaluate` for `train`: { valLoss, valPerplexity, valBits } on held-out ids (reads synchronously). */
export function lmEvaluator(ids: Int32Array, options: StreamLossOptions = {}) {
  return (model: TrainableModel): Record<string, number> => metricsOf(streamLoss(model, ids, options));
}

/**
 * `lmEvaluator` reading asynchronously: the same metrics, on every backend; what `train` needs on
 * WebGPU.
 */
export function lmEvaluatorAsync(ids: Int32Array, options: StreamLossOptions = {}) {
  return async (model: TrainableModel): Promise<Record<string, number>> =>
    metricsOf(await streamLossAsync(model, ids, options));
}

function metricsOf(r: StreamLossResult): Record<string, number> {
  return { valLoss: r.loss, valPerplexity: r.perplexity, valBits: r.bits };
}

export type { LossFn };
