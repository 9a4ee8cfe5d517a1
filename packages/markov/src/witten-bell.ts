/**
 * Interpolated Witten-Bell (Chen & Goodman 1998, eq. 18):
 * p(w | h) = (c(hw) + N1+(h ·) p(w | h')) / (c(h ·) + N1+(h ·)),
 * bottoming out in the uniform distribution over the vocabulary without `<pad>` and `<bos>`.
 */
import { BOS_ID, PAD_ID } from '@strand/base';
import {
  computePrefixes,
  isNeverPredicted,
  type NgramCounts,
  predictedWords,
  sumIntoContexts,
} from './ngram-counts.js';
import type { NgramEstimate } from './ngram-smoothing.js';

export function estimateWittenBell(c: NgramCounts): NgramEstimate {
  const prefixes = computePrefixes(c.levels);
  const logProb: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  let lower = new Float64Array(0);
  for (let k = 1; k <= c.order; k++) {
    const level = c.levels[k - 1]!;
    const size = level.size;
    const counts = c.counts[k - 1]!;
    const p = new Float64Array(size);
    if (k === 1) {
      let total = 0;
      let types = 0;
      for (let w = 0; w < size; w++) {
        if (isNeverPredicted(w)) continue;
        total += counts[w]!;
        if (counts[w]! > 0) types++;
      }
      const uniform = 1 / predictedWords(c.vocabSize);
      for (let w = 0; w < size; w++) p[w] = (counts[w]! + types * uniform) / (total + types);
      p[BOS_ID] = 0;
      p[PAD_ID] = 0;
    } else {
      const prefix = prefixes[k - 1]!;
      const contextSize = c.levels[k - 2]!.size;
      const ones = new Float64Array(size).fill(1);
      const total = sumIntoContexts(counts, prefix, size, contextSize);
      const types = sumIntoContexts(ones, prefix, size, contextSize);
      const bo = backoff[k - 2]!;
      for (let h = 0; h < contextSize; h++) {
        if (total[h]! > 0) bo[h] = Math.log(types[h]! / (total[h]! + types[h]!));
      }
      for (let id = 0; id < size; id++) {
        const h = prefix[id]!;
        p[id] = (counts[id]! + types[h]! * lower[level.back[id]!]!) / (total[h]! + types[h]!);
      }
    }
    const lp = new Float64Array(size);
    for (let id = 0; id < size; id++) lp[id] = Math.log(p[id]!);
    logProb.push(lp);
    backoff.push(new Float64Array(size));
    lower = p;
  }
  return { queryKind: 'backoff', logProb, backoff };
}
