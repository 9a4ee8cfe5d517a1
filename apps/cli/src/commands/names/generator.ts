/**
 * One-to-many: a character language model conditioned on the language. Each training sequence is
 * `<Language> c1 ... cn` -> `c1 ... cn <eos>`: the language token is the first input, so it sets
 * the state every character is generated from (the language "as the initial state", learned).
 *
 * Read through Bayes' rule, the same model is a classifier: p(l | name) ∝ p(l) p(name | l), the
 * neural counterpart of the per-language n-gram models (a generative classifier, which needs less
 * data per class than a discriminative one: Ng & Jordan 2001).
 */
import { join } from 'node:path';
import { EOS_ID, ShapeError, SPECIAL_TOKENS, type Vocabulary } from '@strand/base';
import type { NameExample } from '@strand/data';
import {
  type AutoregressiveModel,
  adamw,
  createModel,
  functionLr,
  labelledData,
  type ModelConfig,
  sample,
  sequenceLogProbs,
  type TrainableModel,
} from '@strand/trainer';
import { train } from '@strand/trainer/node';
import type { RunContext } from '../../frame/run.js';
import { posteriorFromLogScores } from './combine.js';
import { languageToken } from './data.js';

export interface GeneratorSettings {
  readonly cell: 'lstm' | 'gru' | 'rnn';
  readonly units: number;
  readonly embedding: number;
  readonly dropout: number;
  readonly batch: number;
  readonly lr: number;
  readonly steps?: number | undefined;
  readonly minutes?: number | undefined;
}

export function generatorConfig(s: GeneratorSettings, vocabSize: number, seed: number): ModelConfig {
  return {
    kind: 'language-model',
    cell: s.cell,
    vocabSize,
    units: s.units,
    layers: 1,
    embeddingDim: s.embedding,
    dropout: s.dropout,
    seed,
  };
}

export async function trainGenerator(
  run: RunContext,
  names: readonly NameExample[],
  vocabulary: Vocabulary,
  s: GeneratorSettings,
  extra: unknown,
): Promise<{ model: TrainableModel; steps: number; seconds: number; trainLoss: number }> {
  const model = createModel(generatorConfig(s, vocabulary.size, run.options.seed));
  const examples = names.map((n) => {
    const chars = vocabulary.encode([...n.text]);
    const ids = new Int32Array(chars.length + 1);
    ids[0] = vocabulary.id(languageToken(n.label));
    ids.set(chars, 1);
    const label = new Int32Array(chars.length + 1);
    label.set(chars, 0);
    label[chars.length] = EOS_ID;
    return { ids, label };
  });
  const data = labelledData(examples, { batchSize: s.batch, seed: run.options.seed });
  const optimizer = adamw({ lr: s.lr, weightDecay: 0 });
  const total = s.steps;
  const started = performance.now() / 1000;
  const scheduler = functionLr(optimizer, (step) => {
    const byStep = total === undefined ? 0 : step / Math.max(1, total);
    const byTime = s.minutes === undefined ? 0 : (performance.now() / 1000 - started) / (s.minutes * 60);
    const f = Math.min(1, Math.max(byStep, byTime));
    return s.lr / 10 + 0.5 * (1 + Math.cos(Math.PI * f)) * (s.lr - s.lr / 10);
  });
  const result = await train({
    model,
    data,
    optimizer,
    scheduler,
    clip: 1,
    ...(s.steps !== undefined ? { steps: s.steps } : {}),
    ...(s.minutes !== undefined ? { minutes: s.minutes } : {}),
    checkpoint: { dir: join(run.outDir, 'generator'), every: 500, keepLast: 1, keepBest: false, extra },
    log: join(run.outDir, 'generator-metrics.jsonl'),
    resume: run.options.resume,
    seed: run.options.seed,
    progress: { mode: run.output.interactive ? 'bar' : 'lines', every: 15 },
  });
  optimizer.dispose();
  const tail = result.losses.slice(-50);
  return {
    model,
    steps: result.step,
    seconds: performance.now() / 1000 - started,
    trainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
  };
}

/** `count` names in `language`, each at most `maxLength` characters, seeded. */
export function generateNames(
  model: TrainableModel,
  vocabulary: Vocabulary,
  language: string,
  o: { count: number; temperature: number; seed: number; maxLength?: number },
): string[] {
  const special = new Set(SPECIAL_TOKENS);
  const out: string[] = [];
  const start = vocabulary.id(languageToken(language));
  for (let i = 0; i < o.count; i++) {
    const ids = sample(model as AutoregressiveModel, [start], {
      maxTokens: o.maxLength ?? 24,
      temperature: o.temperature,
      seed: o.seed + i,
      stopTokens: [EOS_ID],
    });
    let name = '';
    for (const id of ids) {
      const token = vocabulary.token(id);
      // Language tokens and specials are never characters of a name.
      if (!special.has(token) && !(token.length > 2 && token.startsWith('<') && token.endsWith('>')))
        name += token;
    }
    out.push(name);
  }
  return out;
}

/**
 * p(language | name) for each name, in label order: log p(l) + log p(c1 ... cn <eos> | <l>) under
 * the generator, normalised over the languages. Every name is scored once per language, in
 * batches of one language's sequences.
 */
export function generatorPosteriors(
  model: TrainableModel,
  vocabulary: Vocabulary,
  labels: readonly string[],
  logPrior: ArrayLike<number>,
  names: readonly string[],
): Float64Array[] {
  if (logPrior.length !== labels.length)
    throw new ShapeError('log prior', [labels.length], [logPrior.length]);
  const chars = names.map((n) => vocabulary.encode([...n]));
  const scores = names.map(() => new Float64Array(labels.length));
  labels.forEach((label, l) => {
    const start = vocabulary.id(languageToken(label));
    const sequences = chars.map((c) => [start, ...c, EOS_ID]);
    const logProbs = sequenceLogProbs(model as AutoregressiveModel, sequences, null, { batchSize: 512 });
    logProbs.forEach((lp, i) => {
      scores[i]![l] = logPrior[l]! + lp;
    });
  });
  return scores.map(posteriorFromLogScores);
}
