/**
 * The translation model of the attention view: a GRU encoder-decoder with Bahdanau attention
 * (@strand/attention's Seq2Seq) learns a toy "language" in which every word is written backwards.
 * Once it has learned, its attention runs along the anti-diagonal: to write the i-th output letter
 * it looks at the (n - 1 - i)-th input letter.
 */
import { Seq2Seq } from '@strand/attention';
import { Rng } from '@strand/base';
import { disposeParameters, namedParameters } from '@strand/core';
import { adam, tokenCrossEntropy } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';

const LETTERS = 'abcdefgh';
const BOS = 2;
const EOS = 3;
const OFFSET = 4; // ids 0-3 are <pad> <unk> <bos> <eos>
const LENGTH = 7;

function batch(rng: Rng, size: number): { source: number[][]; targetIn: number[][]; targetOut: number[][] } {
  const source = Array.from({ length: size }, () =>
    Array.from({ length: LENGTH }, () => OFFSET + rng.int(LETTERS.length)),
  );
  const reversed = source.map((s) => [...s].reverse());
  return {
    source,
    targetIn: reversed.map((r) => [BOS, ...r]),
    targetOut: reversed.map((r) => [...r, EOS]),
  };
}

export interface TranslationResult {
  readonly losses: number[];
  readonly source: string[];
  readonly target: string[];
  /** weights[targetStep][sourcePosition] */
  readonly attention: number[][];
}

/** Trains for `steps` Adam steps (yielding a frame after each) and returns one example's attention. */
export async function trainTranslation(
  steps: number,
  onStep: (step: number, loss: number) => void,
  seed = 0,
): Promise<TranslationResult> {
  const vocab = OFFSET + LETTERS.length;
  const model = new Seq2Seq({
    kind: 'seq2seq',
    sourceVocabSize: vocab,
    targetVocabSize: vocab,
    embeddingDim: 16,
    units: 32,
    attention: 'bahdanau',
    seed,
  });
  const params = namedParameters(model.params);
  const vars = [...params.values()];
  const optimizer = adam({ lr: 0.02 });
  const rng = new Rng(seed);
  const losses: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      const b = batch(rng, 32);
      const loss = tf.tidy(() => {
        const src = tf.tensor2d(b.source, undefined, 'int32');
        const tin = tf.tensor2d(b.targetIn, undefined, 'int32');
        const tout = tf.tensor2d(b.targetOut, undefined, 'int32');
        const { value, grads } = tf.variableGrads(
          () => tokenCrossEntropy(model.forward(src, tin, { training: true }).logits, tout, undefined),
          vars,
        );
        optimizer.apply(params, new Map([...params].map(([path, v]) => [path, grads[v.name]!] as const)));
        return value;
      });
      const l = (await loss.data())[0]!;
      loss.dispose();
      losses.push(l);
      onStep(step, l);
      await tf.nextFrame();
    }
    const example = batch(new Rng(seed + 99), 1);
    const a = tf.tidy(() => {
      const r = model.forward(
        tf.tensor2d(example.source, undefined, 'int32'),
        tf.tensor2d(example.targetIn, undefined, 'int32'),
        { training: false },
      );
      return tf.squeeze(r.attention!, [0]); // [T, S]
    });
    const attention = (await a.array()) as number[][];
    a.dispose();
    const letter = (id: number) => (id === EOS ? '</s>' : LETTERS[id - OFFSET]!);
    return {
      losses,
      source: example.source[0]!.map(letter),
      target: example.targetOut[0]!.map(letter),
      attention,
    };
  } finally {
    optimizer.dispose();
    disposeParameters(model.params);
  }
}
