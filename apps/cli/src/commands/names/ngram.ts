/**
 * The non-neural baseline, built from Strand's own parts: one character n-gram language model per
 * language (`@strand/markov`, interpolated modified Kneser-Ney), and the prediction
 * argmax_l [log P(l) + log P_l(name)], the prior being the training share of each language. All
 * models share one character vocabulary, so that their probabilities are over the same events.
 */
import { buildVocabulary } from '@strand/base';
import type { NameExample } from '@strand/data';
import { type NgramLanguageModel, trainNgramLm } from '@strand/markov';
import { posteriorFromLogScores } from './combine.js';
import { languageLogPrior } from './data.js';

export interface NgramClassifier {
  readonly order: number;
  readonly labels: readonly string[];
  /** Posterior over the labels, in label order. */
  probabilities(name: string): Float64Array;
}

export function trainNgramClassifier(
  train: readonly NameExample[],
  labels: readonly string[],
  order: number,
): NgramClassifier {
  const vocabulary = buildVocabulary(train.map((n) => [...n.text]));
  const models: (NgramLanguageModel | null)[] = [];
  const logPrior = languageLogPrior(train, labels);
  for (const label of labels) {
    const names = train.filter((n) => n.label === label).map((n) => [...n.text]);
    // Small languages leave some count-of-counts empty; KenLM's fallback discounts then apply.
    models.push(
      names.length === 0
        ? null
        : trainNgramLm(names, {
            order,
            vocabulary,
            smoothing: { kind: 'modified-kneser-ney', discountFallback: [0.5, 1, 1.5] },
          }),
    );
  }
  return {
    order,
    labels,
    probabilities(name: string): Float64Array {
      const chars = [...name];
      const scores = Float64Array.from(models, (m, i) =>
        m === null ? Number.NEGATIVE_INFINITY : logPrior[i]! + m.logProb(chars),
      );
      return posteriorFromLogScores(scores);
    },
  };
}
