/**
 * `strand music`: polyphonic music on the JSB chorales (quarter notes, 88 keys): the tanh RNN,
 * GRU and LSTM of Chung et al. 2014 at about 20k parameters each, trained with RMSProp, clipped
 * gradients and early stopping, reported in nats per time step on the test split beside the
 * independent-Bernoulli floor and the published tables. `strand music generate` samples a chorale
 * from a saved model into a MIDI file (read back to check) and a piano-roll picture.
 */

import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { useBackend } from '@strand/backend';
import { writeFileAtomic } from '@strand/base/node';
import { type Command, Option } from 'commander';
import { UsageError } from '../frame/errors.js';
import { addCommonOptions, commonOptions, parseChoice, parseInteger, parseNumber } from '../frame/options.js';
import { createOutput, table } from '../frame/output.js';
import { startRun } from '../frame/run.js';
import { loadMusicModel, saveMusicModel } from './music/checkpoint.js';
import { midiToRoll, pianoRollSvg, rollToMidi } from './music/midi.js';
import {
  createMusicModel,
  disposeMusicModel,
  LARGE_UNITS,
  MUSIC_CELLS,
  type MusicCell,
  parameterCount,
  SMALL_UNITS,
} from './music/model.js';
import { bernoulliFloor } from './music/nll.js';
import { KEYS, loadMusicCorpus } from './music/roll.js';
import { sampleRoll } from './music/sample.js';
import { evaluateNll, trainMusic } from './music/train.js';

const LABELS: Readonly<Record<MusicCell, string>> = {
  tanh: 'tanh RNN',
  gru: 'GRU',
  lstm: 'LSTM (peepholes)',
};

/** Test NLL (nats per step) of Chung et al. 2014, table 2, JSB chorales, ~20k parameters. */
const CHUNG_2014: Readonly<Record<MusicCell, number>> = { tanh: 9.1, gru: 8.54, lstm: 8.67 };
/** Bai et al. 2018 (TCN paper), table 1, JSB chorales. */
const BAI_2018 = [
  { name: 'LSTM (Bai et al. 2018)', nats: 8.45 },
  { name: 'GRU (Bai et al. 2018)', nats: 8.43 },
  { name: 'TCN (Bai et al. 2018)', nats: 8.1 },
];
const PUBLISHED_FLOOR = 11.06;

export function musicCommand(program: Command): void {
  const music = program
    .command('music')
    .description(
      'Polyphonic music on the JSB chorales: tanh RNN, GRU and LSTM in nats per step, beside the Bernoulli floor and the published tables',
    )
    .option('--models <list>', `comma-separated cells to train: ${MUSIC_CELLS.join(', ')}`, 'tanh,gru,lstm')
    .addOption(
      new Option(
        '--size <size>',
        'small: ~20k parameters (Chung et al. 2014); large: ~100k-200k (beside Bai et al. 2018)',
      )
        .choices(['small', 'large'])
        .default('small'),
    )
    .option('--units <n>', 'hidden units (overrides --size)', parseInteger(1))
    .option('--lr <rate>', 'RMSProp learning rate', parseNumber(0, 10, false), 0.002)
    .option('--batch <n>', 'chorales per batch', parseInteger(1), 8)
    .option('--clip <norm>', 'clip the global gradient norm', parseNumber(0, 1e6, false), 1)
    .option('--epochs <n>', 'most epochs per model', parseInteger(1), 500)
    .option('--patience <n>', 'early stopping: epochs without a better validation NLL', parseInteger(1), 20)
    .option('--limit <n>', 'use only the first N chorales of each split (smoke runs)', parseInteger(2));
  addCommonOptions(music, { out: 'strand-runs/music', minutes: 30 });

  music.action(async (raw: Record<string, unknown>) => {
    const options = commonOptions(raw);
    const cells = parseModels(String(raw['models']));
    const run = await startRun(options);
    const { output } = run;
    const corpus = await loadMusicCorpus({
      dataDir: options.dataDir,
      limit: raw['limit'] as number | undefined,
    });
    const stepsOf = (r: { time: number }[]) => r.reduce((n, x) => n + x.time - 1, 0);
    output.note(
      `JSB chorales: ${corpus.train.length}/${corpus.valid.length}/${corpus.test.length} chorales, ${stepsOf(corpus.test)} predicted test steps`,
    );
    const floor = bernoulliFloor(corpus.train, corpus.test);
    output.note(`independent-Bernoulli floor: ${floor.natsPerStep.toFixed(3)} nats/step on test`);
    const size = raw['size'] as 'small' | 'large';
    const minutes = options.minutes ?? (options.steps === undefined ? 30 : undefined);
    const started = performance.now() / 1000;
    const firstChord = Array.from(corpus.train[0]!.data.subarray(0, KEYS));
    const results = [];
    for (const [i, cell] of cells.entries()) {
      const units =
        (raw['units'] as number | undefined) ?? (size === 'small' ? SMALL_UNITS : LARGE_UNITS)[cell];
      let model = createMusicModel({ kind: 'music-rnn', cell, units, seed: options.seed });
      const saved = join(run.outDir, `${cell}.safetensors`);
      if (options.resume && existsSync(saved)) {
        // --resume: continue from the weights saved in --out (the RMSProp averages start afresh).
        disposeMusicModel(model);
        model = (await loadMusicModel(saved)).model;
        if (model.config.units !== units)
          throw new UsageError(
            `--resume: ${saved} has ${model.config.units} units, this run asks for ${units}`,
          );
        output.note(`resuming ${LABELS[cell]} from ${saved}`);
      }
      const params = parameterCount(model);
      output.note(`training ${LABELS[cell]}: ${units} units, ${params.toLocaleString('en')} parameters`);
      try {
        const trained = await trainMusic(
          model,
          corpus,
          {
            lr: raw['lr'] as number,
            batch: raw['batch'] as number,
            clip: raw['clip'] as number,
            epochs: raw['epochs'] as number,
            patience: raw['patience'] as number,
            steps: options.steps,
            // Each model gets an equal share of the time budget.
            deadline:
              minutes === undefined
                ? Number.POSITIVE_INFINITY
                : started + (minutes * 60 * (i + 1)) / cells.length,
            seed: options.seed,
          },
          output,
        );
        const testNll = await evaluateNll(model, corpus.test);
        const file = await run.write(`${cell}.safetensors`, await saveMusicModel(model, { firstChord }));
        output.note(
          `  ${LABELS[cell]}: test ${testNll.toFixed(3)} nats/step (best epoch ${trained.bestEpoch}); saved ${file}`,
        );
        results.push({ cell, units, parameters: params, testNll, model: file, ...trained });
      } finally {
        disposeMusicModel(model);
      }
    }

    output.say();
    output.say(
      table([
        ['model', 'parameters', 'test NLL (nats/step)', 'published', 'note'],
        ...results.map((r) => [
          `${LABELS[r.cell]} (this run)`,
          r.parameters.toLocaleString('en'),
          r.testNll.toFixed(3),
          size === 'small' ? CHUNG_2014[r.cell].toFixed(2) : '',
          `${r.units} units, ${r.bestEpoch}/${r.epochs.length} epochs, ${r.seconds.toFixed(0)} s, ${run.backend.name}`,
        ]),
        [
          'independent Bernoulli (this split)',
          '88',
          floor.natsPerStep.toFixed(3),
          PUBLISHED_FLOOR.toFixed(2),
          'floor',
        ],
        ...(size === 'small'
          ? MUSIC_CELLS.map((c) => [
              `${LABELS[c]} (Chung et al. 2014)`,
              '~20k',
              CHUNG_2014[c].toFixed(2),
              '',
              'published',
            ])
          : BAI_2018.map((a) => [a.name, '', a.nats.toFixed(2), '', 'published'])),
      ]),
    );
    output.result({
      command: 'music',
      backend: run.backend.name,
      device: run.backend.device,
      seed: options.seed,
      size,
      unit: 'nats per predicted time step (sum of 88 Bernoulli NLLs), test split',
      floor: { natsPerStep: floor.natsPerStep, published: PUBLISHED_FLOOR },
      models: results,
      published: size === 'small' ? { chung2014: CHUNG_2014 } : { bai2018: BAI_2018 },
      splits: { train: corpus.train.length, valid: corpus.valid.length, test: corpus.test.length },
    });
  });

  music
    .command('generate')
    .description(
      'Sample a chorale from a saved `strand music` model into a MIDI file (read back to check) and an SVG piano roll',
    )
    .option('--model <file>', 'a model saved by `strand music`', 'strand-runs/music/gru.safetensors')
    .option('--bars <n>', 'length in 4/4 bars of quarter notes', parseInteger(1), 16)
    .option('--out <file>', 'the MIDI file to write (the piano roll goes beside it as .svg)', 'chorale.mid')
    .option('--temperature <t>', 'divides the logits before the sigmoid', parseNumber(0, 100, false), 1)
    .option('--bpm <n>', 'tempo of the MIDI file', parseInteger(1), 80)
    .option('--seed <n>', 'random seed of the draws', parseInteger(0), 0)
    .addOption(
      new Option('--backend <name>', 'tensor backend').default(
        process.env['STRAND_BACKEND'] ?? 'auto',
        '$STRAND_BACKEND, else auto',
      ),
    )
    .option('--json', 'print the result as JSON on stdout', false)
    .action(async (raw: Record<string, unknown>) => {
      const output = createOutput(Boolean(raw['json']));
      const outFile = resolve(String(raw['out']));
      if (extname(outFile).toLowerCase() !== '.mid' && extname(outFile).toLowerCase() !== '.midi')
        throw new UsageError(`--out: expected a .mid file name, received '${String(raw['out'])}'`);
      await useBackend(raw['backend'] as Parameters<typeof useBackend>[0]);
      const { model, firstChord } = await loadMusicModel(resolve(String(raw['model'])));
      try {
        const steps = (raw['bars'] as number) * 4;
        const first = Uint8Array.from(firstChord.length === KEYS ? firstChord : new Array(KEYS).fill(0));
        const roll = await sampleRoll(model, first, steps, {
          seed: raw['seed'] as number,
          temperature: raw['temperature'] as number,
        });
        const bytes = rollToMidi(roll, { bpm: raw['bpm'] as number });
        await mkdir(dirname(outFile), { recursive: true });
        await writeFileAtomic(outFile, bytes);
        // The check: parse the file just written and compare with the sampled roll.
        const back = midiToRoll(await readFile(outFile), outFile);
        const same =
          back.roll.time <= roll.time &&
          back.roll.data.every((v, i) => v === roll.data[i]) &&
          roll.data.subarray(back.roll.data.length).every((v) => v === 0);
        if (!same)
          throw new UsageError(`${outFile}: the MIDI file read back differs from the sampled chorale`);
        const svgFile = join(dirname(outFile), `${basename(outFile, extname(outFile))}.svg`);
        await writeFileAtomic(
          svgFile,
          await pianoRollSvg(
            roll,
            `strand music: ${model.config.cell}, ${raw['bars']} bars, seed ${raw['seed']}`,
          ),
        );
        const notes = back.roll.data.reduce((n, v) => n + v, 0);
        const perStep = notes / Math.max(1, back.roll.time);
        output.say(
          `wrote ${outFile} (${bytes.length} bytes, ${steps} quarter notes at ${raw['bpm']} bpm; read back: ${perStep.toFixed(1)} keys sounding per step)`,
        );
        output.say(`wrote ${svgFile}`);
        output.result({
          command: 'music generate',
          model: model.config,
          midi: outFile,
          svg: svgFile,
          bytes: bytes.length,
          steps,
          readBack: { steps: back.roll.time, bpm: back.bpm, keyOnSteps: notes, matches: same },
        });
      } finally {
        disposeMusicModel(model);
      }
    });
}

function parseModels(list: string): MusicCell[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--models: expected one or more of ${MUSIC_CELLS.join(', ')}`);
  const check = parseChoice(MUSIC_CELLS);
  try {
    return [...new Set(names.map(check))];
  } catch (error) {
    throw new UsageError(`--models: ${(error as Error).message}`);
  }
}
