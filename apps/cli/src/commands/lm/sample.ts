/**
 * Text from a trained character model: one token at a time with the state carried (recurrent
 * models) or the key/value cache (transformers), never re-running the prefix; characters are
 * written as they come.
 */
import { SPECIAL_TOKENS, Vocabulary } from '@strand/base';
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

/** Streams `flags.length` characters after `prompt` to `write`; returns the text. */
export async function streamSample(
  model: TrainableModel,
  vocabulary: Vocabulary,
  prompt: string,
  flags: SamplingFlags,
  write: (text: string) => void,
): Promise<string> {
  const ids = encodePrompt(vocabulary, prompt);
  let text = '';
  const special = new Set(SPECIAL_TOKENS);
  for await (const id of generate(model as AutoregressiveModel, ids, {
    maxTokens: flags.length,
    temperature: flags.temperature,
    ...(flags.topK !== undefined ? { topK: flags.topK } : {}),
    ...(flags.topP !== undefined ? { topP: flags.topP } : {}),
    seed: flags.seed,
  })) {
    const token = vocabulary.token(id);
    const piece = special.has(token) ? '' : token;
    text += piece;
    write(piece);
  }
  return text;
}

/** The newest checkpoint in `dir` (a run's --out, or its checkpoints folder) and its vocabulary. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: TrainableModel; vocabulary: Vocabulary; checkpoint: Checkpoint['meta'] }> {
  registerModels();
  const candidates = [dir, `${dir}/checkpoints`];
  for (const d of candidates) {
    const checkpoint = await loadLatest(directoryStore(d)).catch(() => null);
    if (checkpoint === null) continue;
    const extra = checkpoint.meta.extra as { vocabulary?: unknown } | null;
    if (!extra?.vocabulary)
      throw new UsageError(`the checkpoint in ${d} holds no vocabulary: it was not written by strand lm`);
    const vocabulary = Vocabulary.fromJSON(extra.vocabulary, { source: d });
    const meta = checkpoint.meta;
    return { model: restoreModel(checkpoint), vocabulary, checkpoint: meta };
  }
  throw new UsageError(
    `no checkpoint found in ${dir} (or ${dir}/checkpoints): train one first with \`strand lm --out ${dir}\``,
  );
}
