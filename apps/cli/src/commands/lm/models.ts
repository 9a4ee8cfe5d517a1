/**
 * The model configurations `strand lm` trains: the defaults are tuned for about 15 minutes on a
 * 2-core machine with the wasm backend (see the README's results table); every size is a flag.
 */
import type { ModelConfig } from '@strand/trainer';

export const LM_MODELS = ['lstm', 'gru', 'rnn', 'transformer', 'ngram'] as const;
export type LmModelName = (typeof LM_MODELS)[number];

export interface LmHyperparameters {
  readonly layers: number;
  readonly units: number;
  readonly embedding: number;
  readonly dropout: number;
  readonly heads: number;
  readonly context: number;
  readonly batch: number;
  readonly lr: number;
  readonly warmup: number;
  readonly clip: number;
  readonly weightDecay: number;
  /** Probability that a training stream's state is zeroed before a chunk (recurrent models; see streamData). */
  readonly reset: number;
}

/** Per-model defaults; flags override them one by one. */
export const LM_DEFAULTS: Readonly<Record<Exclude<LmModelName, 'ngram'>, LmHyperparameters>> = {
  lstm: {
    layers: 1,
    units: 256,
    embedding: 64,
    dropout: 0,
    heads: 0,
    context: 128,
    batch: 16,
    lr: 3e-3,
    warmup: 30,
    clip: 1,
    weightDecay: 0,
    reset: 0.05,
  },
  gru: {
    layers: 1,
    units: 512,
    embedding: 64,
    dropout: 0.1,
    heads: 0,
    context: 100,
    batch: 32,
    lr: 3e-3,
    warmup: 100,
    clip: 1,
    weightDecay: 0,
    reset: 0.05,
  },
  rnn: {
    layers: 1,
    units: 512,
    embedding: 64,
    dropout: 0,
    heads: 0,
    context: 100,
    batch: 32,
    lr: 1e-3,
    warmup: 100,
    clip: 1,
    weightDecay: 0,
    reset: 0.05,
  },
  // nanoGPT's CPU configuration. Without dropout and at context 64, 15 minutes reach 1.669 nats/char
  // where dropout 0.1 at context 128 reached 2.107: a 15-minute run is far from overfitting, and the
  // shorter context doubles the steps.
  transformer: {
    layers: 4,
    units: 128,
    embedding: 128,
    dropout: 0,
    heads: 4,
    context: 64,
    batch: 16,
    lr: 1e-3,
    warmup: 50,
    clip: 1,
    weightDecay: 0.1,
    reset: 0,
  },
};

/** The JSON model config the trainer's `createModel` builds. */
export function modelConfig(
  name: Exclude<LmModelName, 'ngram'>,
  h: LmHyperparameters,
  vocabSize: number,
  seed: number,
): ModelConfig {
  if (name === 'transformer') {
    return {
      kind: 'transformer',
      vocabSize,
      contextLength: h.context,
      dModel: h.units,
      numHeads: h.heads,
      numLayers: h.layers,
      dropout: h.dropout,
      seed,
    };
  }
  return {
    kind: 'language-model',
    cell: name,
    vocabSize,
    units: h.units,
    layers: h.layers,
    embeddingDim: h.embedding,
    dropout: h.dropout,
    seed,
  };
}
