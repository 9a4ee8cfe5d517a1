/**
 * `strand lm`: a character language model on tiny Shakespeare (first 90% train, last 10%
 * validation), reported in nats and bits per character beside the unigram floor, the order-5
 * Kneser-Ney n-gram trained on the same split, and published anchors; then a sample.
 * `strand lm sample` generates from a saved checkpoint.
 */
import { type Command, Option } from 'commander';
import { addCommonOptions, commonOptions, parseInteger, parseNumber } from '../frame/options.js';
import { table } from '../frame/output.js';
import { startRun } from '../frame/run.js';
import { ngramBaseline, unigramBaseline } from './lm/baselines.js';
import { loadCorpus } from './lm/corpus.js';
import { validationLoss } from './lm/evaluate.js';
import {
  LM_DEFAULTS,
  LM_MODELS,
  type LmHyperparameters,
  type LmModelName,
  modelConfig,
} from './lm/models.js';
import { loadCheckpoint, type SamplingFlags, streamSample } from './lm/sample.js';
import { primeText, trainNeural } from './lm/train-neural.js';

const DEFAULT_MINUTES = 15;

/** Published figures on the same split, nats per character (validation). */
const ANCHORS = [
  { name: "nanoGPT 'baby GPT', 10.6M parameters, GPU", natsPerChar: 1.47 },
  { name: 'nanoGPT small GPT on CPU', natsPerChar: 1.88 },
];

function addSamplingOptions(command: Command, defaults: { length: number }): Command {
  return command
    .option('--temperature <t>', 'sampling temperature', parseNumber(0, 100, false), 0.8)
    .option('--top-k <k>', 'sample among the k most likely characters', parseInteger(1))
    .option(
      '--top-p <p>',
      'nucleus sampling: the smallest set with probability >= p',
      parseNumber(0, 1, false),
    )
    .option('--length <n>', 'characters to generate', parseInteger(0), defaults.length);
}

function samplingFlags(raw: Record<string, unknown>, seed: number): SamplingFlags {
  return {
    temperature: raw['temperature'] as number,
    topK: raw['topK'] as number | undefined,
    topP: raw['topP'] as number | undefined,
    length: raw['length'] as number,
    seed,
  };
}

function hyperparameters(
  name: Exclude<LmModelName, 'ngram'>,
  raw: Record<string, unknown>,
): LmHyperparameters {
  const d = LM_DEFAULTS[name];
  const pick = (key: keyof LmHyperparameters, flag: string = key) =>
    (raw[flag] as number | undefined) ?? d[key];
  return {
    layers: pick('layers'),
    units: pick('units'),
    embedding: pick('embedding'),
    dropout: pick('dropout'),
    heads: pick('heads'),
    context: pick('context'),
    batch: pick('batch'),
    lr: pick('lr'),
    warmup: pick('warmup'),
    clip: pick('clip'),
    weightDecay: pick('weightDecay'),
    reset: pick('reset'),
  };
}

const RECURRENT = ['lstm', 'gru', 'rnn'] as const;

/** "(default: lstm 384, gru 512, ...)" from LM_DEFAULTS, equal values merged, so the help never drifts. */
function defaultsText(
  key: keyof LmHyperparameters,
  models: readonly (keyof typeof LM_DEFAULTS)[] = [...RECURRENT, 'transformer'],
): string {
  const groups = new Map<number, string[]>();
  for (const m of models) groups.set(LM_DEFAULTS[m][key], [...(groups.get(LM_DEFAULTS[m][key]) ?? []), m]);
  if (groups.size === 1) return `(default ${[...groups.keys()][0]})`;
  return `(default: ${[...groups].map(([v, ms]) => `${ms.join('/')} ${v}`).join(', ')})`;
}

export function lmCommand(program: Command): void {
  const lm = program
    .command('lm')
    .description(
      'Character language model on tiny Shakespeare, beside the 5-gram Kneser-Ney baseline; then a sample',
    )
    .addOption(new Option('--model <name>', 'model').choices(LM_MODELS).default('lstm'))
    .option('--layers <n>', `layers ${defaultsText('layers')}`, parseInteger(1))
    .option('--units <n>', `hidden units / model width ${defaultsText('units')}`, parseInteger(1))
    .option(
      '--embedding <n>',
      `embedding size of the recurrent models ${defaultsText('embedding', RECURRENT)}`,
      parseInteger(1),
    )
    .option(
      '--heads <n>',
      `attention heads of the transformer ${defaultsText('heads', ['transformer'])}`,
      parseInteger(1),
    )
    .option('--dropout <p>', `dropout rate ${defaultsText('dropout')}`, parseNumber(0, 0.99))
    .option(
      '--context <n>',
      `truncated-BPTT length / transformer context ${defaultsText('context')}`,
      parseInteger(2),
    )
    .option('--batch <n>', `batch size ${defaultsText('batch')}`, parseInteger(1))
    .option('--lr <rate>', `peak learning rate of AdamW ${defaultsText('lr')}`, parseNumber(0, 10, false))
    .option(
      '--warmup <steps>',
      `linear warm-up steps before the cosine decay ${defaultsText('warmup')}`,
      parseInteger(0),
    )
    .option(
      '--clip <norm>',
      `clip the global gradient norm ${defaultsText('clip')}`,
      parseNumber(0, 1e6, false),
    )
    .option(
      '--weight-decay <w>',
      `AdamW decoupled weight decay ${defaultsText('weightDecay')}`,
      parseNumber(0, 10),
    )
    .option(
      '--reset <p>',
      `chance that a training stream's state is zeroed before a chunk, so the model learns to start from zeros ${defaultsText('reset', RECURRENT)}`,
      parseNumber(0, 0.99),
    )
    .option('--order <n>', 'n-gram order of the baseline (and of --model ngram)', parseInteger(1), 5)
    .option('--eval-every <steps>', 'validate (and checkpoint) every N steps', parseInteger(1), 250)
    .option('--limit <chars>', 'use only the first N characters of the text (smoke runs)', parseInteger(1000))
    .option('--prompt <text>', 'the sample starts from this text', '\n');
  addSamplingOptions(lm, { length: 400 });
  addCommonOptions(lm, { out: 'strand-runs/lm', minutes: DEFAULT_MINUTES });

  lm.action(async (raw: Record<string, unknown>) => {
    const options = commonOptions(raw);
    const name = raw['model'] as LmModelName;
    const neural = name !== 'ngram';
    const run = await startRun(options, { backend: neural });
    const { output } = run;
    const corpus = await loadCorpus({ dataDir: options.dataDir, limit: raw['limit'] as number | undefined });
    output.note(
      `tiny Shakespeare: ${corpus.train.length.toLocaleString('en')} training and ${corpus.valid.length.toLocaleString('en')} validation characters, ${corpus.vocabulary.size - 4} distinct`,
    );
    const order = raw['order'] as number;
    const unigram = unigramBaseline(corpus.train, corpus.valid);
    const ngram = ngramBaseline(corpus.train, corpus.valid, order);
    output.note(
      `baseline ${ngram.name}: ${ngram.natsPerChar.toFixed(4)} nats/char (${ngram.seconds.toFixed(1)} s)`,
    );

    let result: Record<string, unknown>;
    let natsPerChar: number;
    let sample = '';
    let sampleTokens = 0;
    const flags = samplingFlags(raw, options.seed);
    if (!neural) {
      natsPerChar = ngram.natsPerChar;
      result = { steps: 0, seconds: ngram.seconds };
    } else {
      const h = hyperparameters(name, raw);
      const steps = options.steps;
      const minutes = options.minutes ?? (steps === undefined ? DEFAULT_MINUTES : undefined);
      output.note(
        `training ${name}: ${JSON.stringify(h)}; budget ${steps !== undefined ? `${steps} steps` : ''}${steps !== undefined && minutes !== undefined ? ' or ' : ''}${minutes !== undefined ? `${minutes} minutes` : ''}`,
      );
      const config = modelConfig(name, h, corpus.vocabulary.size, options.seed);
      const trained = await trainNeural(run, corpus, config, h, {
        steps,
        minutes,
        evalEvery: raw['evalEvery'] as number,
      });
      output.note('validating on the whole validation text ...');
      natsPerChar = validationLoss(trained.model, corpus.validIds, h);
      result = {
        steps: trained.steps,
        seconds: trained.seconds,
        stoppedBy: trained.stoppedBy,
        trainLoss: trained.trainLoss,
        tokensPerSecond: trained.tokensPerSecond,
        curve: trained.curve,
        checkpoint: trained.checkpointDir,
        config,
        hyperparameters: h,
      };
      output.say();
      output.say(
        `sample (temperature ${flags.temperature}${flags.topK ? `, top-k ${flags.topK}` : ''}${flags.topP ? `, top-p ${flags.topP}` : ''}):`,
      );
      output.say('─'.repeat(60));
      const write = (s: string) => (options.json ? output.stderr.write(s) : process.stdout.write(s));
      const sampled = await streamSample(
        trained.model,
        corpus.vocabulary,
        raw['prompt'] as string,
        flags,
        write,
        primeText(corpus.train),
      );
      sample = sampled.text;
      sampleTokens = sampled.tokens;
      write('\n');
      output.say('─'.repeat(60));
    }

    const bits = (n: number) => (n / Math.LN2).toFixed(3);
    output.say();
    output.say(
      table([
        ['model', 'nats/char', 'bits/char', 'note'],
        [
          name === 'ngram' ? `${order}-gram (this run)` : `${name} (this run)`,
          natsPerChar.toFixed(4),
          bits(natsPerChar),
          neural
            ? `${result['steps']} steps, ${(result['seconds'] as number).toFixed(0)} s, ${run.backend.name}`
            : '',
        ],
        [ngram.name, ngram.natsPerChar.toFixed(4), bits(ngram.natsPerChar), 'baseline, same split'],
        [unigram.name, unigram.natsPerChar.toFixed(4), bits(unigram.natsPerChar), 'floor'],
        ...ANCHORS.map((a) => [a.name, a.natsPerChar.toFixed(2), bits(a.natsPerChar), 'published anchor']),
      ]),
    );
    const beats = natsPerChar < ngram.natsPerChar;
    if (neural)
      output.say(
        beats
          ? `→ ${name} beats the n-gram by ${(ngram.natsPerChar - natsPerChar).toFixed(4)} nats/char`
          : `→ the n-gram is still ahead by ${(natsPerChar - ngram.natsPerChar).toFixed(4)} nats/char (a longer budget helps: --minutes)`,
      );
    output.result({
      command: 'lm',
      model: name,
      backend: run.backend.name,
      device: run.backend.device,
      seed: options.seed,
      validation: {
        natsPerChar,
        bitsPerChar: natsPerChar / Math.LN2,
        perplexity: Math.exp(natsPerChar),
        characters: corpus.valid.length,
      },
      baselines: { ngram: { ...ngram }, unigram: { ...unigram } },
      anchors: ANCHORS,
      beatsNgram: beats,
      sample,
      sampleTokens,
      ...result,
    });
  });

  const sampleCommand = lm
    .command('sample')
    .description('Generate text from a saved `strand lm` checkpoint, streaming characters as they come')
    .requiredOption('--checkpoint <dir>', 'the output folder of a strand lm run (or its checkpoints folder)')
    .option('--prompt <text>', 'the text to continue', '\n')
    .option('--seed <n>', 'random seed of the draws', parseInteger(0), 0)
    .addOption(
      new Option('--backend <name>', 'tensor backend').default(
        process.env['STRAND_BACKEND'] ?? 'auto',
        '$STRAND_BACKEND, else auto',
      ),
    )
    .option('--json', 'print the sample as JSON on stdout', false);
  addSamplingOptions(sampleCommand, { length: 500 });
  sampleCommand.action(async (raw: Record<string, unknown>) => {
    const run = await startRun({
      backend: raw['backend'] as string,
      seed: raw['seed'] as number,
      dataDir: undefined,
      out: raw['checkpoint'] as string,
      resume: false,
      json: Boolean(raw['json']),
      steps: undefined,
      minutes: undefined,
    });
    const { model, vocabulary, checkpoint, prime } = await loadCheckpoint(raw['checkpoint'] as string);
    run.output.note(`checkpoint: ${checkpoint.model.kind} at step ${checkpoint.step}`);
    const prompt = raw['prompt'] as string;
    const write = (s: string) => (run.options.json ? undefined : process.stdout.write(s));
    write(prompt);
    const { text, tokens } = await streamSample(
      model,
      vocabulary,
      prompt,
      samplingFlags(raw, raw['seed'] as number),
      write,
      prime,
    );
    write('\n');
    run.output.result({
      command: 'lm sample',
      prompt,
      text,
      tokens,
      step: checkpoint.step,
      model: checkpoint.model,
    });
  });
}
