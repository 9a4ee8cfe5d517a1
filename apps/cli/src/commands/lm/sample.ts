/**
 * Text from a trained character model: one token at a time with the state carried (recurrent
 * models) or the key/value cache (transformers), never re-running the prefix; characters are
 * written as they come.
 */
import { deriveSeed, SPECIAL_TOKENS, Vocabulary } from '@strand/base';
import {
  type AutoregressiveModel,
  type Checkpoint,
  generate,
  loadLatest,
  restoreModel,
  type TrainableModel,
} from '@strand/trainer';
import { directoryStore } from '@strand/trainer/node';
import { UsageError } from '../../frame/errors.js';
import { registerModels } from './train-neural.js';

export interface SamplingFlags {
  readonly temperature: number;
  readonly topK: number | undefined;
  readonly topP: number | undefined;
  readonly length: number;
  readonly seed: number;
}

/** Encodes a prompt; characters the model never saw are a usage error (not silently <unk>). */
export function encodePrompt(vocabulary: Vocabulary, prompt: string): number[] {
  const ids: number[] = [];
  for (const ch of prompt) {
    if (!vocabulary.has(ch))
      throw new UsageError(`the prompt's character ${JSON.stringify(ch)} is not in the model's vocabulary`);
    ids.push(vocabulary.id(ch));
  }
  if (ids.length === 0)
    throw new UsageError('the prompt is empty: give at least one character (e.g. --prompt "ROMEO:")');
  return ids;
}

/**
 * Streams `flags.length` tokens after `prompt` to `write` (special tokens print nothing); returns the
 * text and the number of tokens. A model with a
 * finite context (a transformer's learned position table) generates in windows: when the window is
 * full, generation restarts from its last half (as nanoGPT crops to block_size), each window with
 * its own derived seed, so long samples stay reproducible.
 */
export async function streamSample(
  model: TrainableModel,
  vocabulary: Vocabulary,
  prompt: string,
  flags: SamplingFlags,
  write: (text: string) => void,
  prime = '',
): Promise<{ readonly text: string; readonly tokens: number }> {
  const limit = (model as AutoregressiveModel).contextLength ?? Number.POSITIVE_INFINITY;
  const keep = Number.isFinite(limit) ? Math.max(1, Math.floor(limit / 2)) : Number.POSITIVE_INFINITY;
  // `prime`: text read before the prompt and not printed (char-rnn's -primetext). Recurrent models
  // trained on long carried streams rarely see a zero state, so a few hundred characters of real
  // text put the state where sampling works even early in training.
  let context = [...vocabulary.encode([...prime]), ...encodePrompt(vocabulary, prompt)];
  if (context.length >= limit) context = context.slice(-keep);
  let text = '';
  let tokens = 0;
  const special = new Set(SPECIAL_TOKENS);
  let remaining = flags.length;
  for (let window = 0; remaining > 0; window++) {
    const maxTokens = Math.min(remaining, Number.isFinite(limit) ? limit - context.length : remaining);
    for await (const id of generate(model as AutoregressiveModel, context, {
      maxTokens,
      temperature: flags.temperature,
      ...(flags.topK !== undefined ? { topK: flags.topK } : {}),
      ...(flags.topP !== undefined ? { topP: flags.topP } : {}),
      seed: window === 0 ? flags.seed : deriveSeed(flags.seed, 'window', window),
    })) {
      context.push(id);
      tokens++;
      const token = vocabulary.token(id);
      const piece = special.has(token) ? '' : token;
      text += piece;
      write(piece);
    }
    remaining -= maxTokens;
    if (remaining > 0) context = context.slice(-keep);
  }
  return { text, tokens };
}

/** The newest checkpoint in `dir` (a run's --out, or its checkpoints folder) and its vocabulary. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: TrainableModel; vocabulary: Vocabulary; checkpoint: Checkpoint['meta']; prime: string }> {
  registerModels();
  const candidates = [dir, `${dir}/checkpoints`];
  for (const d of candidates) {
    const checkpoint = await loadLatest(directoryStore(d)).catch(() => null);
    if (checkpoint === null) continue;
    const extra = checkpoint.meta.extra as { vocabulary?: unknown; prime?: unknown } | null;
    if (!extra?.vocabulary)
      throw new UsageError(`the checkpoint in ${d} holds no vocabulary: it was not written by strand lm`);
    const vocabulary = Vocabulary.fromJSON(extra.vocabulary, { source: d });
    const meta = checkpoint.meta;
    // Only characters the vocabulary knows (a foreign or damaged checkpoint's prime is dropped).
    const prime =
      typeof extra.prime === 'string' && [...extra.prime].every((c) => vocabulary.has(c)) ? extra.prime : '';
    return { model: restoreModel(checkpoint), vocabulary, checkpoint: meta, prime };
  }
  throw new UsageError(
    `no checkpoint found in ${dir} (or ${dir}/checkpoints): train one first with \`strand lm --out ${dir}\``,
  );
}
