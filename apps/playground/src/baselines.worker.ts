/**
 * The baselines, off the page's thread: an order-5 character n-gram (modified Kneser-Ney) and a
 * 32-state categorical HMM fitted by Baum-Welch, both scored on the same validation text as the
 * neural model (perplexity per character).
 */
import { fitHmm, hmmSequenceModel, trainNgramLm } from '@strand/markov';

export interface BaselineRequest {
  readonly train: string;
  readonly valid: string;
}

export interface BaselineRow {
  readonly name: string;
  readonly perplexity: number;
  readonly seconds: number;
}

/** Characters of training text the HMM sees (Baum-Welch is O(T·K²) per iteration). */
const HMM_CHARS = 20_000;
const NGRAM_CHARS = 400_000;

function ngram(train: string, valid: string): BaselineRow {
  const t0 = performance.now();
  const lm = trainNgramLm([[...train.slice(0, NGRAM_CHARS)]], {
    order: 5,
    smoothing: { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] },
  });
  const { logProb, events } = lm.evaluate([[...valid]]);
  return {
    name: '5-gram, modified Kneser-Ney',
    perplexity: Math.exp(-logProb / events),
    seconds: (performance.now() - t0) / 1000,
  };
}

function hmm(train: string, valid: string): BaselineRow {
  const t0 = performance.now();
  const symbols = [...new Set(train + valid)].sort();
  const id = new Map(symbols.map((s, i) => [s, i]));
  const encode = (s: string) => Int32Array.from([...s], (c) => id.get(c)!);
  const text = train.slice(0, HMM_CHARS);
  const sequences: Int32Array[] = [];
  for (let i = 0; i < text.length; i += 500) sequences.push(encode(text.slice(i, i + 500)));
  // Every symbol once, so none has probability zero (the validation text may hold letters the slice lacks).
  sequences.push(encode(symbols.join('')));
  const fit = fitHmm(sequences, {
    numStates: 32,
    emission: { kind: 'categorical', numSymbols: symbols.length },
    maxIterations: 15,
    seed: 0,
  });
  const model = hmmSequenceModel(fit.hmm as never);
  return {
    name: `HMM, 32 states (Baum-Welch on ${text.length.toLocaleString('en')} characters)`,
    perplexity: model.perplexity([encode(valid)]),
    seconds: (performance.now() - t0) / 1000,
  };
}

self.onmessage = (e: MessageEvent<BaselineRequest>) => {
  const { train, valid } = e.data;
  try {
    self.postMessage({ row: ngram(train, valid) });
    self.postMessage({ row: hmm(train, valid) });
    self.postMessage({ done: true });
  } catch (err) {
    self.postMessage({ error: String((err as Error).message ?? err) });
  }
};
