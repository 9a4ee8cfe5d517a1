/**
 * `strand translate`: English→French on the 5,000 tutorial pairs (seeded 80/10/10 split by source
 * sentence). Without a sentence it trains one model (or `--model all`: the bottleneck GRU
 * encoder-decoder, Bahdanau and Luong attention, a small transformer), scores corpus BLEU-4 on the
 * test split (nltk's corpus_bleu; one output per distinct source against all its translations)
 * overall and by source length, and writes the table and an SVG chart.
 * `strand translate "she is taller than me ."` translates with a trained checkpoint, and
 * `--attention-map out.svg` draws where each output word looked.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { namedParameters, type Params } from '@strand/core';
import { normalizeString } from '@strand/data';
import { type Command, Option } from 'commander';
import { UsageError } from '../frame/errors.js';
import { addCommonOptions, commonOptions, parseInteger, parseNumber } from '../frame/options.js';
import { table } from '../frame/output.js';
import { renderSvg } from '../frame/plot.js';
import { type RunContext, startRun } from '../frame/run.js';
import { loadTranslator } from './translate/checkpoint.js';
import { loadCorpus } from './translate/corpus.js';
import {
  type Corpus,
  decodeTarget,
  encodeSource,
  type TestSentence,
  type TokenizerKind,
  testSentences,
  words,
} from './translate/data.js';
import { attentionOf, type DecodeOptions, translateAll } from './translate/decode.js';
import {
  attentionChart,
  type Bucket,
  bucketChart,
  type Evaluation,
  evaluate,
  lengthBuckets,
} from './translate/evaluate.js';
import { attentionMargins, type Margin } from './translate/margins.js';
import {
  createTranslator,
  modelConfig,
  modelName,
  TRANSLATE_DEFAULTS,
  TRANSLATE_MODELS,
  type TranslateHyperparameters,
  type TranslateModelName,
} from './translate/models.js';
import { trainTranslator } from './translate/train.js';

const DEFAULT_MINUTES = 5;

function hyperparameters(name: TranslateModelName, raw: Record<string, unknown>): TranslateHyperparameters {
  const d = TRANSLATE_DEFAULTS[name];
  const pick = <K extends keyof TranslateHyperparameters>(key: K): TranslateHyperparameters[K] =>
    (raw[key] as TranslateHyperparameters[K] | undefined) ?? d[key];
  return {
    units: pick('units'),
    embedding: pick('embedding'),
    layers: pick('layers'),
    heads: pick('heads'),
    dropout: pick('dropout'),
    batch: pick('batch'),
    lr: pick('lr'),
    warmup: pick('warmup'),
    clip: pick('clip'),
    teacherForcing: pick('teacherForcing'),
    bidirectional: raw['encoder'] === undefined ? d.bidirectional : raw['encoder'] === 'bi',
  };
}

function decodeOptions(raw: Record<string, unknown>): DecodeOptions {
  return {
    beamWidth: raw['beam'] as number,
    lengthPenalty: raw['lengthPenalty'] as number,
    maxTokens: raw['maxTokens'] as number,
  };
}

interface ModelResult {
  readonly model: TranslateModelName;
  readonly parameters: number;
  readonly steps: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly trainLoss: number;
  readonly validLoss: number;
  readonly stoppedBy: string;
  readonly checkpoint: string;
  readonly hyperparameters: TranslateHyperparameters;
  readonly test: Evaluation;
  readonly greedyBleu: number;
}

function countParameters(params: Params): number {
  let n = 0;
  for (const v of namedParameters(params).values()) n += v.size;
  return n;
}

async function trainAndScore(
  run: RunContext,
  corpus: Corpus,
  name: TranslateModelName,
  raw: Record<string, unknown>,
  testSet: readonly TestSentence[],
  buckets: readonly Bucket[],
): Promise<ModelResult> {
  const { output, options } = run;
  const h = hyperparameters(name, raw);
  const config = modelConfig(
    name,
    h,
    corpus.sourceTokenizer.vocabSize,
    corpus.targetTokenizer.vocabSize,
    options.seed,
  );
  const model = createTranslator(config);
  const parameters = countParameters(model.params);
  const steps = options.steps;
  const minutes = options.minutes ?? (steps === undefined ? DEFAULT_MINUTES : undefined);
  output.note(
    `training ${name} (${parameters.toLocaleString('en')} parameters): ${JSON.stringify(h)}; budget ${[steps !== undefined ? `${steps} steps` : '', minutes !== undefined ? `${minutes} minutes` : ''].filter(Boolean).join(' or ')}`,
  );
  const dir = join(run.outDir, name);
  const trained = await trainTranslator(
    run,
    dir,
    model,
    corpus,
    h,
    { steps, minutes },
    {
      sourceTokenizer: corpus.sourceTokenizer.toJSON(),
      targetTokenizer: corpus.targetTokenizer.toJSON(),
      tokenizer: corpus.tokenizer,
      hyperparameters: h,
    },
  );
  const decoding = decodeOptions(raw);
  const sources = testSet.map((t) => t.src);
  const decode = (o: DecodeOptions) =>
    translateAll(model, sources, o).map((ids) => decodeTarget(corpus.targetTokenizer, corpus.tokenizer, ids));
  output.note(
    `decoding ${sources.length} test sentences (${decoding.beamWidth === 1 ? 'greedy' : `beam ${decoding.beamWidth}`}) ...`,
  );
  const outputs = decode(decoding);
  const test = evaluate(testSet, outputs, buckets);
  const greedyBleu =
    decoding.beamWidth === 1
      ? test.bleu
      : evaluate(testSet, decode({ ...decoding, beamWidth: 1 }), buckets).bleu;
  output.note(
    `${name}: test BLEU-4 ${test.bleu.toFixed(2)} after ${trained.steps} steps (${trained.seconds.toFixed(0)} s)`,
  );
  return {
    model: name,
    parameters,
    steps: trained.steps,
    epochs: trained.epochs,
    seconds: trained.seconds,
    trainLoss: trained.trainLoss,
    validLoss: trained.validLoss,
    stoppedBy: trained.stoppedBy,
    checkpoint: trained.checkpointDir,
    hyperparameters: h,
    test,
    greedyBleu,
  };
}

async function trainCommand(raw: Record<string, unknown>): Promise<void> {
  const options = commonOptions(raw);
  const run = await startRun(options);
  const { output } = run;
  const tokenizer = raw['tokenizer'] as TokenizerKind;
  const corpus = await loadCorpus({
    dataDir: options.dataDir,
    seed: options.seed,
    tokenizer,
    bpeVocab: raw['bpeVocab'] as number,
    limit: raw['limit'] as number | undefined,
  });
  output.note(
    `eng-fra: ${corpus.train.length} training, ${corpus.valid.length} validation, ${corpus.test.length} test pairs; ${tokenizer} vocabularies ${corpus.sourceTokenizer.vocabSize} (English) and ${corpus.targetTokenizer.vocabSize} (French)`,
  );
  // One hypothesis per distinct test source, scored against all its translations.
  const testSet = testSentences(corpus.test);
  const buckets = lengthBuckets(
    testSet.map((t) => words(t.source).length),
    Math.max(5, Math.round(testSet.length / 20)),
  );
  const names: TranslateModelName[] =
    raw['model'] === 'all' ? [...TRANSLATE_MODELS] : [raw['model'] as TranslateModelName];
  const results: ModelResult[] = [];
  for (const name of names) results.push(await trainAndScore(run, corpus, name, raw, testSet, buckets));

  const copy = evaluate(
    testSet,
    testSet.map((t) => t.source),
    buckets,
  );
  const decoding = decodeOptions(raw);
  const decoderName =
    decoding.beamWidth === 1
      ? 'greedy'
      : `beam ${decoding.beamWidth}${decoding.lengthPenalty ? `, α ${decoding.lengthPenalty}` : ''}`;
  const beamed = decoding.beamWidth > 1;
  output.say();
  output.say(
    `test split: ${testSet.length} distinct sources (${corpus.test.length} pairs), corpus BLEU-4 against all their translations (nltk corpus_bleu), ${decoderName}`,
  );
  output.say(
    table([
      [
        'model',
        'BLEU',
        ...(beamed ? ['greedy'] : []),
        ...buckets.map((b) => `len ${b.label}`),
        'params',
        'steps',
        'time',
        'valid nll',
      ],
      ...results.map((r) => [
        `${r.model} (this run)`,
        r.test.bleu.toFixed(2),
        ...(beamed ? [r.greedyBleu.toFixed(2)] : []),
        ...r.test.buckets.map((b) => b.bleu.toFixed(1)),
        r.parameters.toLocaleString('en'),
        `${r.steps}`,
        `${r.seconds.toFixed(0)} s`,
        r.validLoss.toFixed(3),
      ]),
      [
        'copy the source (baseline)',
        copy.bleu.toFixed(2),
        ...(beamed ? [copy.bleu.toFixed(2)] : []),
        ...copy.buckets.map((b) => b.bleu.toFixed(1)),
        '',
        '',
        '',
        '',
      ],
      [
        'sentences per bucket',
        '',
        ...(beamed ? [''] : []),
        ...buckets.map((_, i) => `${copy.buckets[i]!.sentences}`),
        '',
        '',
        '',
        '',
      ],
    ]),
  );
  const best = results.reduce((a, b) => (b.test.bleu > a.test.bleu ? b : a));
  output.say();
  output.say('examples (test split):');
  for (const e of best.test.examples.slice(0, 4))
    output.say(`  ${e.source}  →  ${e.output}   [refs: ${e.references.join(' | ')}]`);
  const margins = attentionMargins(
    results.map((r) => ({ model: r.model, bleu: r.test.bleu, greedyBleu: r.greedyBleu })),
  );
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
  const described = (m: Margin) => `${signed(m.bleu)}${beamed ? ` (greedy ${signed(m.greedy)})` : ''}`;
  const said = [
    margins.recurrent &&
      `recurrent attention ${described(margins.recurrent)} (the best of Bahdanau and Luong)`,
    margins.transformer && `transformer ${described(margins.transformer)}`,
  ].filter(Boolean);
  if (said.length > 0)
    output.say(
      `→ BLEU above the bottleneck (target +5${beamed ? `, ${decoderName}` : ''}): ${said.join('; ')}`,
    );
  const chart = await run.write(
    'bleu-by-length.svg',
    await renderSvg(
      bucketChart([
        ...results.map((r) => ({ model: r.model, buckets: r.test.buckets })),
        { model: 'copy baseline', buckets: copy.buckets },
      ]),
    ),
  );
  output.say(`BLEU by source length: ${chart}`);
  const result = {
    command: 'translate',
    backend: run.backend.name,
    device: run.backend.device,
    seed: options.seed,
    tokenizer,
    decoding,
    split: {
      train: corpus.train.length,
      valid: corpus.valid.length,
      test: corpus.test.length,
      testSources: testSet.length,
    },
    vocabulary: { source: corpus.sourceTokenizer.vocabSize, target: corpus.targetTokenizer.vocabSize },
    buckets,
    models: results,
    baselines: { copy: { bleu: copy.bleu, buckets: copy.buckets } },
    attentionMargin: margins.recurrent?.bleu ?? null,
    greedyAttentionMargin: margins.recurrent?.greedy ?? null,
    transformerMargin: margins.transformer?.bleu ?? null,
    greedyTransformerMargin: margins.transformer?.greedy ?? null,
    chart,
  };
  await run.write('results.json', `${JSON.stringify(result, null, 2)}\n`);
  output.result(result);
}

async function translateSentence(sentence: string, raw: Record<string, unknown>): Promise<void> {
  const options = commonOptions(raw);
  const text = normalizeString(sentence);
  if (text.length === 0)
    throw new UsageError(`nothing to translate: '${sentence}' has no letters or .!? after normalisation`);
  const path =
    (raw['checkpoint'] as string | undefined) ??
    join(options.out, raw['model'] === 'all' ? 'bahdanau' : String(raw['model']));
  if (!existsSync(path))
    throw new UsageError(`no checkpoint at ${path} (train one first: strand translate --model ...)`);
  const run = await startRun({ ...options, out: path });
  const loaded = await loadTranslator(path);
  const { output } = run;
  const name = modelName(loaded.config);
  output.note(`checkpoint: ${name} at step ${loaded.step} (${loaded.dir})`);
  const sourceWords = words(text);
  if (loaded.tokenizer === 'word') {
    const unknown = sourceWords.filter((w) => loaded.sourceTokenizer.tokenToId(w) === undefined);
    if (unknown.length > 0)
      output.note(`note: not in the training vocabulary, read as <unk>: ${unknown.join(', ')}`);
  }
  const src = encodeSource(loaded.sourceTokenizer, text);
  const [ids] = translateAll(loaded.model, [src], decodeOptions(raw));
  const translation = decodeTarget(loaded.targetTokenizer, loaded.tokenizer, ids!);
  output.say(translation);
  if (translation === '')
    output.note('note: the model ended the translation at once (<eos> first): the translation is empty');
  let map: string | null = null;
  const mapPath = raw['attentionMap'] as string | undefined;
  if (mapPath) {
    const weights = attentionOf(loaded.model, src, ids!);
    if (!weights) {
      output.note(`note: the ${name} model has no attention; no map written`);
    } else {
      // Word-level: the words as typed (an unknown one is still shown by name); BPE: its pieces.
      const sourceTokens =
        loaded.tokenizer === 'word'
          ? [...sourceWords, '<eos>']
          : src.map((id) => loaded.sourceTokenizer.idToToken(id) ?? '?');
      const targetTokens = [...ids!, 3].map((id) => loaded.targetTokenizer.idToToken(id) ?? '?');
      const { writeFileAtomic } = await import('@strand/base/node');
      await writeFileAtomic(mapPath, await renderSvg(attentionChart(weights, sourceTokens, targetTokens)));
      map = mapPath;
      output.note(`attention map: ${mapPath}`);
    }
  }
  output.result({
    command: 'translate',
    model: name,
    input: sentence,
    normalized: text,
    translation,
    tokens: ids!.map((id) => loaded.targetTokenizer.idToToken(id)),
    step: loaded.step,
    attentionMap: map,
  });
}

export function translateCommand(program: Command): void {
  const command = program
    .command('translate')
    .description(
      'English→French seq2seq (bottleneck GRU, Bahdanau, Luong, transformer) scored by BLEU-4; or translate a sentence',
    )
    .argument('[sentence]', 'translate this sentence with a trained checkpoint instead of training')
    .addOption(
      new Option('--model <name>', 'model to train (all: the four side by side)')
        .choices([...TRANSLATE_MODELS, 'all'])
        .default('bahdanau'),
    )
    .addOption(
      new Option('--tokenizer <kind>', 'word-level, or byte-level BPE trained on the training split')
        .choices(['word', 'bpe'])
        .default('word'),
    )
    .option('--bpe-vocab <n>', 'BPE vocabulary size per language', parseInteger(260), 1000)
    .option('--units <n>', 'GRU units / transformer width (default 128)', parseInteger(1))
    .option('--embedding <n>', 'word embedding size of the GRU models (default 128)', parseInteger(1))
    .option('--layers <n>', 'transformer encoder and decoder layers (default 2)', parseInteger(1))
    .option('--heads <n>', 'transformer attention heads (default 4)', parseInteger(1))
    .option('--dropout <p>', 'dropout rate (default 0.1)', parseNumber(0, 0.99))
    .option('--batch <n>', 'sentence pairs per batch (default 32)', parseInteger(1))
    .option(
      '--lr <rate>',
      'peak AdamW learning rate (default 3e-3, transformer 1e-3)',
      parseNumber(0, 10, false),
    )
    .option('--warmup <steps>', 'linear warm-up steps (default 50, transformer 100)', parseInteger(0))
    .option('--clip <norm>', 'clip the global gradient norm (default 1)', parseNumber(0, 1e6, false))
    .option(
      '--teacher-forcing <ratio>',
      'probability of feeding the reference word while training (default 1)',
      parseNumber(0, 1),
    )
    .addOption(
      new Option(
        '--encoder <direction>',
        'GRU encoder: uni (left to right, default) or bi (both directions, a tanh bridge to the decoder)',
      ).choices(['uni', 'bi']),
    )
    .option('--beam <width>', 'beam width (1 = greedy)', parseInteger(1), 1)
    .option(
      '--length-penalty <alpha>',
      'GNMT length normalisation of beam scores (0 = none)',
      parseNumber(0, 10),
      0,
    )
    .option('--max-tokens <n>', 'longest translation, in tokens', parseInteger(1), 30)
    .option('--limit <pairs>', 'use only the first N sentence pairs (smoke runs)', parseInteger(20))
    .option('--checkpoint <dir>', 'checkpoint to translate with (default: <out>/<model>)')
    .option('--attention-map <file>', 'with a sentence: write the attention heatmap as SVG');
  addCommonOptions(command, { out: 'strand-runs/translate', minutes: DEFAULT_MINUTES });
  command.action(async (sentence: string | undefined, raw: Record<string, unknown>) => {
    if (sentence !== undefined) await translateSentence(sentence, raw);
    else {
      if (raw['attentionMap'] !== undefined)
        throw new UsageError('--attention-map needs a sentence to translate');
      await trainCommand(raw);
    }
  });
}
