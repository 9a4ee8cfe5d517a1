/**
 * The translation model of the attention view: the model `strand translate` trains (a GRU
 * encoder-decoder with Bahdanau attention, @strand/attention's Seq2Seq, on word tokens of the
 * English-French pairs), either trained here on the first pairs of the data set served beside the
 * page, or loaded from a checkpoint the CLI wrote. The corpus, config, training adapter, decoding and
 * checkpoint reader are the CLI's own (`@strand/cli/translate`), so the same pairs and seed give the
 * same split and vocabularies as `strand translate --limit N`. Runs in the engine worker.
 */
import {
  attentionOf,
  buildCorpus,
  createTranslator,
  decodeTarget,
  encodeSource,
  greedyBatch,
  type Layout,
  modelConfig,
  modelName,
  pairData,
  pairLoss,
  pairModel,
  TRANSLATE_DEFAULTS,
  type TranslateHyperparameters,
  type TranslatorCheckpoint,
  translatorFromCheckpoint,
  words,
} from '@strand/cli/translate';
import { disposeParameters } from '@strand/core';
import { normalizeString, parseEngFra } from '@strand/data';
import { adamw, decodeCheckpoint, functionLr, train, warmupCosine } from '@strand/trainer';
import type { Attention, TranslatorSummary } from './protocol.js';
import { yieldToEvents } from './yield.js';

/** A translator with what the page shows about it. */
export interface Translator extends TranslatorCheckpoint {
  readonly summary: TranslatorSummary;
}

export interface TranslationTraining {
  /** The eng-fra.txt file (tab-separated pairs). */
  readonly pairsText: string;
  /** Train on the first `limit` pairs (split 80/10/10 by source as the CLI does). */
  readonly limit: number;
  readonly steps: number;
  readonly units: number;
  readonly batch: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, loss: number, tokensPerSecond: number) => void;
}

/** Trains the CLI's Bahdanau model in the worker (AdamW, warm-up then cosine, clipping). */
export async function trainTranslator(o: TranslationTraining): Promise<Translator> {
  const pairs = parseEngFra(o.pairsText, { source: 'eng-fra.txt', normalize: true }).slice(0, o.limit);
  const corpus = buildCorpus(pairs, { seed: o.seed, tokenizer: 'word', bpeVocab: 1000 });
  const h: TranslateHyperparameters = {
    ...TRANSLATE_DEFAULTS.bahdanau,
    units: o.units,
    embedding: o.units,
    batch: o.batch,
  };
  const config = modelConfig(
    'bahdanau',
    h,
    corpus.sourceTokenizer.vocabSize,
    corpus.targetTokenizer.vocabSize,
    o.seed,
  );
  const model = createTranslator(config);
  const layout: Layout = { sourceLength: 0 };
  const optimizer = adamw({ lr: h.lr, weightDecay: 0 });
  const warmup = Math.min(h.warmup, Math.max(0, o.steps - 2));
  const scheduler = functionLr(
    optimizer,
    warmupCosine({
      maxLr: h.lr,
      minLr: h.lr / 10,
      warmupSteps: warmup,
      decaySteps: Math.max(warmup + 1, o.steps),
    }),
  );
  const losses: number[] = [];
  let last = performance.now();
  try {
    await train({
      model: pairModel(model, layout, h.teacherForcing),
      data: pairData(corpus.train, h.batch, o.seed, layout),
      optimizer,
      scheduler,
      loss: pairLoss,
      clip: h.clip,
      steps: o.steps,
      seed: o.seed,
      ...(o.signal ? { signal: o.signal } : {}),
      callbacks: {
        onBatchEnd: async (e) => {
          losses.push(e.loss);
          o.onStep?.(e.step, e.loss, (e.tokens * 1000) / Math.max(1e-3, performance.now() - last));
          await yieldToEvents();
          last = performance.now();
        },
      },
    });
  } catch (e) {
    disposeParameters(model.params);
    throw e;
  } finally {
    optimizer.dispose();
  }
  return {
    model,
    config,
    sourceTokenizer: corpus.sourceTokenizer,
    targetTokenizer: corpus.targetTokenizer,
    tokenizer: 'word',
    step: losses.length,
    summary: {
      origin: 'trained in this page',
      model: modelName(config),
      step: losses.length,
      pairs: corpus.train.length,
      sourceVocab: corpus.sourceTokenizer.vocabSize,
      targetVocab: corpus.targetTokenizer.vocabSize,
      losses,
    },
  };
}

/**
 * A checkpoint `strand translate` wrote (<out>/<model>/checkpoints/ckpt-N.json and .safetensors).
 * FormatError naming the file when the pair does not match or is not a translate checkpoint.
 */
export function loadTranslator(json: string, tensors: Uint8Array, source: string): Translator {
  const t = translatorFromCheckpoint(decodeCheckpoint(json, tensors, { source }), source);
  return {
    ...t,
    summary: {
      origin: source,
      model: modelName(t.config),
      step: t.step,
      pairs: 0,
      sourceVocab: t.sourceTokenizer.vocabSize,
      targetVocab: t.targetTokenizer.vocabSize,
      losses: [],
    },
  };
}

/**
 * Greedy translation of `sentence` and the attention weights behind it, labelled as
 * `strand translate --attention-map` labels them: source words as typed (an unknown one is still
 * shown by name) or BPE pieces, then <eos>; target tokens, then <eos>.
 */
export function attend(t: Translator, sentence: string, maxTokens = 30): Attention {
  const text = normalizeString(sentence);
  if (text.length === 0) throw new Error(`nothing to translate: '${sentence}' has no letters or .!?`);
  const sourceWords = words(text);
  const unknown =
    t.tokenizer === 'word' ? sourceWords.filter((w) => t.sourceTokenizer.tokenToId(w) === undefined) : [];
  const src = encodeSource(t.sourceTokenizer, text);
  const [ids] = greedyBatch(t.model, [src], maxTokens);
  const weights = attentionOf(t.model, src, ids!);
  if (!weights) throw new Error(`the ${t.summary.model} model has no attention to show`);
  const columns =
    t.tokenizer === 'word'
      ? [...sourceWords, '<eos>']
      : src.map((id) => t.sourceTokenizer.idToToken(id) ?? '?');
  const rows = [...ids!, 3].map((id) => t.targetTokenizer.idToToken(id) ?? '?');
  const translation = decodeTarget(t.targetTokenizer, t.tokenizer, ids!);
  return {
    input: text,
    translation,
    unknown,
    heatmap: {
      title: `Bahdanau attention: "${text}" → "${translation}" (rows: output words, columns: input words)`,
      columns,
      rows,
      values: weights,
    },
  };
}

export function disposeTranslator(t: Translator | null): void {
  if (t) disposeParameters(t.model.params);
}
