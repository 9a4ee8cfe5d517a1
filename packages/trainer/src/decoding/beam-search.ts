/**
 * Beam search (stateful: each beam's state is carried and reordered, the prefix never re-run), with
 * GNMT's length normalisation (Wu et al. 2016): score = log p(y) / lp(y), lp(y) = ((5 + |y|) / 6)^alpha.
 * alpha = 0 (the default) ranks by plain log-probability. One device read per step (the logits of
 * every live beam); `beamSearch` reads synchronously (cpu, wasm), `beamSearchAsync` asynchronously
 * (every backend, WebGPU included), with the same results.
 */
import { integerInRange, nonNegativeNumber, positiveInteger, type Sequence } from '@strand/base';
import type { AutoregressiveModel } from '../model.js';
import { checkIdValues } from '../models/common.js';
import { type Reads, readAsync, readSync } from '../reads.js';
import { openStepper } from './stepper.js';

export interface BeamSearchOptions {
  /** Hypotheses kept after every step. */
  readonly beamWidth: number;
  /** Longest continuation, in tokens (an end token counts). */
  readonly maxTokens: number;
  /** A hypothesis that emits this token is finished. Without one, all run to maxTokens. */
  readonly eosId?: number;
  /** GNMT's alpha; 0 (default) is no normalisation. */
  readonly lengthPenalty?: number;
  /** How many hypotheses to return, best first. Default beamWidth. */
  readonly numReturn?: number;
}

export interface Hypothesis {
  /** The continuation (with the end token when it finished with one). */
  readonly tokens: Int32Array;
  /** Natural-log probability of `tokens` given the prompt. */
  readonly logProb: number;
  /** logProb / ((5 + length) / 6)^alpha: what hypotheses are ranked by. */
  readonly score: number;
  /** True when it ended with `eosId`. */
  readonly finished: boolean;
}

/** GNMT's length penalty ((5 + length) / 6)^alpha. */
export function lengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - lse);
}

interface Beam {
  readonly tokens: number[];
  readonly logProb: number;
}

/**
 * The best continuations of `prompt`, best first.
 *
 * At every step each live beam is extended by every token; the `beamWidth` most probable
 * extensions survive (ties broken by beam, then token id); those ending in `eosId` are set aside as
 * finished. Live beams left after `maxTokens` are returned unfinished.
 *
 * @example
 * const [best] = beamSearch(model, [BOS_ID], { beamWidth: 5, maxTokens: 40, eosId: EOS_ID, lengthPenalty: 0.6 });
 */
export function beamSearch(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: BeamSearchOptions,
): Hypothesis[] {
  return readSync(beamSteps(model, prompt, options));
}

/** `beamSearch` reading asynchronously: the same hypotheses, on every backend (WebGPU included). */
export function beamSearchAsync(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: BeamSearchOptions,
): Promise<Hypothesis[]> {
  return readAsync(beamSteps(model, prompt, options));
}

/** The search, yielding its reads (see ../reads.ts). */
function* beamSteps(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: BeamSearchOptions,
): Reads<Hypothesis[]> {
  const width = positiveInteger(options.beamWidth, 'beamWidth');
  const maxTokens = positiveInteger(options.maxTokens, 'maxTokens');
  const alpha = nonNegativeNumber(options.lengthPenalty ?? 0, 'lengthPenalty');
  const numReturn = integerInRange(options.numReturn ?? width, 1, width, 'numReturn');
  const eos = options.eosId;
  if (eos !== undefined) checkIdValues([eos], model.vocabSize, 'eosId');
  const finished: Hypothesis[] = [];
  const done = (b: Beam, isEos: boolean): void => {
    finished.push({
      tokens: Int32Array.from(b.tokens),
      logProb: b.logProb,
      score: b.logProb / lengthPenalty(b.tokens.length, alpha),
      finished: isEos,
    });
  };
  const stepper = yield* openStepper(model, [prompt]);
  try {
    let alive: Beam[] = [{ tokens: [], logProb: 0 }];
    for (let step = 0; step < maxTokens && alive.length > 0; step++) {
      const candidates: { beam: number; token: number; logProb: number }[] = [];
      alive.forEach((b, i) => {
        const lp = logSoftmax(stepper.logits[i]!);
        for (let v = 0; v < lp.length; v++)
          candidates.push({ beam: i, token: v, logProb: b.logProb + lp[v]! });
      });
      candidates.sort((a, b) => b.logProb - a.logProb || a.beam - b.beam || a.token - b.token);
      const next: Beam[] = [];
      const rows: number[] = [];
      for (const c of candidates.slice(0, width)) {
        const beam = { tokens: [...alive[c.beam]!.tokens, c.token], logProb: c.logProb };
        if (c.token === eos) done(beam, true);
        else {
          next.push(beam);
          rows.push(c.beam);
        }
      }
      alive = next;
      if (alive.length > 0 && step < maxTokens - 1) {
        stepper.select(rows);
        yield* stepper.feed(alive.map((b) => b.tokens[b.tokens.length - 1]!));
      }
    }
    for (const b of alive) done(b, false);
  } finally {
    stepper.dispose();
  }
  return finished.sort((a, b) => b.score - a.score).slice(0, numReturn);
}
