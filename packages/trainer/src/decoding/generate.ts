/**
 * Greedy decoding and seeded sampling, one token at a time from the carried state. One algorithm
 * (`tokenSteps`, yielding its reads), driven synchronously by `sample`/`greedy` (cpu, wasm) and
 * asynchronously by `sampleAsync`/`greedyAsync`/`generate` (every backend, WebGPU included); the
 * same seed gives the same tokens either way.
 */
import { nonNegativeInteger, Rng, type Sequence } from '@strand/base';
import type { AutoregressiveModel } from '../model.js';
import { type TokenReads, tokensAsync, tokensSync } from '../reads.js';
import { chooseToken, resolveSampling, type SamplingOptions } from './logits.js';
import { openStepper } from './stepper.js';

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

export type GreedyOptions = Omit<GenerateOptions, 'greedy' | 'temperature' | 'topK' | 'topP' | 'seed'>;

/**
 * Generates tokens after `prompt` (which must hold at least one token: a start symbol for an
 * unconditional sample). Returns only the new tokens. Reads synchronously (cpu, wasm); on WebGPU
 * use `sampleAsync` or `generate`.
 *
 * @example
 * const ids = sample(lm, vocab.encode('ROMEO:'), { maxTokens: 200, temperature: 0.8, topP: 0.95, seed: 1 });
 */
export function sample(model: AutoregressiveModel, prompt: Sequence, options: GenerateOptions): Int32Array {
  return Int32Array.from(tokensSync(tokenSteps(model, prompt, options)));
}

/** `sample` reading asynchronously (every backend, WebGPU included); the same tokens. */
export async function sampleAsync(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: GenerateOptions,
): Promise<Int32Array> {
  const out: number[] = [];
  for await (const t of tokensAsync(tokenSteps(model, prompt, options))) out.push(t);
  return Int32Array.from(out);
}

/** The most likely token at every step: the argmax chain. */
export function greedy(model: AutoregressiveModel, prompt: Sequence, options: GreedyOptions): Int32Array {
  return sample(model, prompt, { ...options, greedy: true });
}

/** `greedy` reading asynchronously (every backend, WebGPU included). */
export function greedyAsync(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: GreedyOptions,
): Promise<Int32Array> {
  return sampleAsync(model, prompt, { ...options, greedy: true });
}

/**
 * A streaming generator: yields each token as soon as it is chosen, reading the device
 * asynchronously (so it runs on WebGPU and a page stays responsive). Breaking out of the loop
 * frees the state.
 *
 * @example
 * for await (const id of generate(lm, prompt, { maxTokens: 100, seed: 3 })) process.stdout.write(vocab.token(id));
 */
export function generate(
  model: AutoregressiveModel,
  prompt: Sequence,
  options: GenerateOptions,
): AsyncGenerator<number, void, undefined> {
  return tokensAsync(tokenSteps(model, prompt, options));
}

/** The decoding loop: yields each logits read and each chosen token (see ../reads.ts). */
function* tokenSteps(model: AutoregressiveModel, prompt: Sequence, options: GenerateOptions): TokenReads {
  const maxTokens = nonNegativeInteger(options.maxTokens, 'maxTokens');
  const o = resolveSampling(options);
  const rng = new Rng(options.seed ?? 0);
  const stop = new Set(options.stopTokens ?? []);
  const stepper = yield* openStepper(model, [prompt]);
  const context = [...prompt];
  try {
    for (let i = 0; i < maxTokens; i++) {
      const t = chooseToken(stepper.logits[0]!, context, o, rng);
      context.push(t);
      yield t;
      if (options.onToken?.(t, i) === false || stop.has(t) || i === maxTokens - 1) break;
      yield* stepper.feed([t]);
    }
  } finally {
    stepper.dispose();
  }
}
