/**
 * Decoding the translation models: batched greedy decoding (one encoder pass, one decoder step per
 * output position for the whole batch), beam search through the trainer's `beamSearch` over
 * `conditionedOn(model, source)` (width and GNMT length normalisation as options), and the
 * attention weights of a chosen output (a teacher-forced pass over it: the same weights the
 * decoder produced while emitting it).
 */
import { conditionedOn, disposeTensors, type EncoderDecoderModel, mapTensors } from '@strand/attention';
import { BOS_ID, EOS_ID } from '@strand/base';
import { beamSearch } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';

export interface DecodeOptions {
  /** 1 = greedy. */
  readonly beamWidth: number;
  /** GNMT's alpha (beam search only). */
  readonly lengthPenalty: number;
  /** Longest output for a source of n tokens: 2n + 5, at most this. */
  readonly maxTokens: number;
}

function limit(sourceLength: number, maxTokens: number): number {
  return Math.min(maxTokens, 2 * sourceLength + 5);
}

function sourceTensors(sources: readonly (readonly number[])[]) {
  const B = sources.length;
  const S = Math.max(...sources.map((s) => s.length));
  const ids = new Int32Array(B * S);
  const mask = new Float32Array(B * S);
  sources.forEach((s, b) => {
    s.forEach((id, i) => {
      ids[b * S + i] = id;
      mask[b * S + i] = 1;
    });
  });
  return { src: tf.tensor2d(ids, [B, S], 'int32'), mask: tf.tensor2d(mask, [B, S]), S };
}

function tensorSet(tree: unknown): Set<tf.Tensor> {
  const set = new Set<tf.Tensor>();
  mapTensors(tree, (t) => {
    set.add(t);
    return t;
  });
  return set;
}

/** Greedy outputs (ids without <bos>/<eos>) of a batch of sources (ids ending in <eos>). */
export function greedyBatch(
  model: EncoderDecoderModel,
  sources: readonly (readonly number[])[],
  maxTokens: number,
): number[][] {
  const B = sources.length;
  const { src, mask, S } = sourceTensors(sources);
  const memory = model.encode(src, { training: false, sourceMask: mask });
  let state = model.initialState(memory);
  let prev = tf.fill([B], BOS_ID, 'int32') as tf.Tensor1D;
  const out: number[][] = sources.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  const steps = limit(S, maxTokens);
  try {
    for (let t = 0; t < steps && done.some((d) => !d); t++) {
      const r = model.step(prev, state, memory, { training: false });
      const next = tf.tidy(() => tf.cast(tf.argMax(r.logits, 1), 'int32')) as tf.Tensor1D;
      const ids = next.dataSync();
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        if (ids[b] === EOS_ID || out[b]!.length >= limit(sources[b]!.length, maxTokens)) done[b] = true;
        else out[b]!.push(ids[b]!);
      }
      const keep = tensorSet(r.state);
      for (const x of tensorSet(state)) if (!keep.has(x)) x.dispose();
      r.logits.dispose();
      r.attention?.dispose();
      prev.dispose();
      prev = next;
      state = r.state;
    }
  } finally {
    const mem = tensorSet(memory);
    for (const x of tensorSet(state)) if (!mem.has(x)) x.dispose();
    disposeTensors(memory);
    tf.dispose([prev, src, mask]);
  }
  return out;
}

/** The best beam-search output (ids without <bos>/<eos>) for one source. */
export function beamOne(
  model: EncoderDecoderModel,
  source: readonly number[],
  options: DecodeOptions,
): number[] {
  const src = tf.tensor2d([...source], [1, source.length], 'int32');
  const conditioned = conditionedOn(model, src);
  try {
    const [best] = beamSearch(conditioned, [BOS_ID], {
      beamWidth: options.beamWidth,
      maxTokens: limit(source.length, options.maxTokens),
      eosId: EOS_ID,
      lengthPenalty: options.lengthPenalty,
      numReturn: 1,
    });
    return [...best!.tokens].filter((id) => id !== EOS_ID);
  } finally {
    conditioned.dispose();
    src.dispose();
  }
}

/** Translates every source (greedy in batches of 64, or beam search one at a time). */
export function translateAll(
  model: EncoderDecoderModel,
  sources: readonly (readonly number[])[],
  options: DecodeOptions,
  onProgress?: (done: number) => void,
): number[][] {
  const out: number[][] = [];
  if (options.beamWidth === 1) {
    for (let i = 0; i < sources.length; i += 64) {
      out.push(...greedyBatch(model, sources.slice(i, i + 64), options.maxTokens));
      onProgress?.(out.length);
    }
  } else {
    for (const s of sources) {
      out.push(beamOne(model, s, options));
      if (out.length % 50 === 0) onProgress?.(out.length);
    }
  }
  return out;
}

/**
 * Attention weights [outputLength + 1][sourceLength] (the last row: where <eos> was emitted) of
 * `output` given `source`, or null for a model without attention.
 */
export function attentionOf(
  model: EncoderDecoderModel,
  source: readonly number[],
  output: readonly number[],
): number[][] | null {
  const attention = tf.tidy(() => {
    const src = tf.tensor2d([...source], [1, source.length], 'int32');
    const tgtIn = tf.tensor2d([BOS_ID, ...output], [1, output.length + 1], 'int32');
    return model.forward(src, tgtIn, { training: false }).attention ?? tf.scalar(0);
  });
  try {
    return attention.rank === 3 ? (attention.arraySync() as number[][][])[0]! : null;
  } finally {
    attention.dispose();
  }
}
