/** Greedy decoding and seeded sampling, one token at a time from the carried state. */
import { nonNegativeInteger, Rng, type Sequence } from '@strand/base';
import type { AutoregressiveModel } from '../model.js';
import { chooseToken, resolveSampling, type SamplingOptions } from './logits.js';
import { createStepper } from './stepper.js';

export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to generate (the prompt is not counted). */
  readonly maxTokens: number;
  /** Seed of the draws; the same seed gives the same tokens. Default 0. */
  readonly seed?: number;
  /** Stop after emitting one of these (it is included). */
  readonly stopTokens?: readonly number[];
  /** Called with each token as it is chosen; return false to stop early. */
  readonly onToken?: (token: number, index: number) => boolean | undefined;
}

/**
 * Generates tokens after `prompt` (which must hold at least one token: a start symbol for an
 * unconditional sample). Returns only the new tokens.
 *
 * @example
 * const ids = sample(lm, vocab.encode('ROMEO:'), { maxTokens: 200, temperature: 0.8, topP: 0.95, seed: 1 });
 */
export function sample(model: AutoregressiveModel, prompt: Sequence, options: GenerateOptions): Int32Array {
  const out: number[] = [];
  for (const t of tokens(model, prompt, options)) out.push(t);
  return Int32Array.from(out);
}

/** The most likely token at every step: the argmax chain. */
export function greedy(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: Omit<GenerateOptions, 'greedy' | 'temperature' | 'topK' | 'topP' | 'seed'>,
): Int32Array {
  return sample(model, prompt, { ...options, greedy: true });
}

/**
 * A streaming generator: yields each token as soon as it is chosen, and awaits between tokens so a
 * page stays responsive. Breaking out of the loop frees the state.
 *
 * @example
 * for await (const id of generate(lm, prompt, { maxTokens: 100, seed: 3 })) process.stdout.write(vocab.token(id));
 */
export async function* generate(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: GenerateOptions,
): AsyncGenerator<number, void, undefined> {
  for (const t of tokens(model, prompt, options)) {
    yield t;
    await Promise.resolve();
  }
}

function* tokens(model: AutoregressiveModel, prompt: Sequence, options: GenerateOptions): Generator<number> {
  const maxTokens = nonNegativeInteger(options.maxTokens, 'maxTokens');
  const o = resolveSampling(options);
  const rng = new Rng(options.seed ?? 0);
  const stop = new Set(options.stopTokens ?? []);
  const stepper = createStepper(model, [prompt]);
  const context = [...prompt];
  try {
    for (let i = 0; i < maxTokens; i++) {
      const t = chooseToken(stepper.logits[0]!, context, o, rng);
      context.push(t);
      yield t;
      if (options.onToken?.(t, i) === false || stop.has(t) || i === maxTokens - 1) break;
      stepper.feed([t]);
    }
  } finally {
    stepper.dispose();
  }
}
