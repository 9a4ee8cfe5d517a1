import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStrandError } from '@strand/base';
import { namedParameters } from '@strand/core';
import { expectNoLeakedTensors, fuzzReader, hasData } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import tonejsMidi from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { loadMusicModel, saveMusicModel } from '../src/commands/music/checkpoint.js';
import { midiToRoll, rollNotes, rollToMidi } from '../src/commands/music/midi.js';
import {
  createMusicModel,
  disposeMusicModel,
  musicLogits,
  parameterCount,
} from '../src/commands/music/model.js';
import { bernoulliFloor, stepNll, summedBernoulliNll } from '../src/commands/music/nll.js';
import { disposeBatch, KEYS, type Roll, rollBatch, toRoll } from '../src/commands/music/roll.js';
import { sampleRoll } from '../src/commands/music/sample.js';
import { evaluateNll } from '../src/commands/music/train.js';
import { runCli } from './run-cli.js';

const { Midi } = tonejsMidi;

describe('the music NLL convention', () => {
  it('is the sum over 88 keys of Bernoulli NLLs, per predicted step (hand-computed)', async () => {
    // Step 1: all logits 0 (p = 1/2 everywhere): 88 ln 2 whatever the notes.
    // Step 2: key 0 has logit ln 3 (p = 3/4) and sounds, key 1 logit -ln 3 (p = 1/4) and sounds,
    //         the other 86 keys logit 0 and silent: -ln(3/4) - ln(1/4) + 86 ln 2.
    // Step 3 is padding (mask 0) and must not count.
    const logits = new Float32Array(3 * KEYS);
    logits[KEYS] = Math.log(3);
    logits[KEYS + 1] = -Math.log(3);
    logits.fill(50, 2 * KEYS); // padding: huge logits that would dominate if counted
    const targets = new Float32Array(3 * KEYS);
    targets[3] = 1;
    targets[KEYS] = 1;
    targets[KEYS + 1] = 1;
    const step1 = 88 * Math.LN2;
    const step2 = -Math.log(3 / 4) - Math.log(1 / 4) + 86 * Math.LN2;
    const nll = summedBernoulliNll(
      tf.tensor3d(logits, [1, 3, KEYS]),
      tf.tensor3d(targets, [1, 3, KEYS]),
      tf.tensor2d([[1, 1, 0]]),
    );
    expect((await nll.data())[0]).toBeCloseTo(step1 + step2, 3);
    // The plain-number reference agrees.
    const p2 = Array.from({ length: KEYS }, (_, k) => (k === 0 ? 0.75 : k === 1 ? 0.25 : 0.5));
    const n2 = Array.from({ length: KEYS }, (_, k) => (k < 2 ? 1 : 0));
    expect(stepNll(p2, n2)).toBeCloseTo(step2, 10);
  });

  it('stays finite for confident logits (stable softplus)', async () => {
    const z = tf.tensor3d([[[-200, 200]]]);
    const y = tf.tensor3d([[[1, 0]]]);
    const v = (await summedBernoulliNll(z, y, tf.tensor2d([[1]])).data())[0]!;
    expect(v).toBeCloseTo(400, 3);
  });

  it('the independent-Bernoulli floor counts steps 2..T with training frequencies', () => {
    // Training: key 0 on in 1 of 4 steps; key 1 never (clamped to 1e-5). Evaluation roll of 3 steps:
    // steps 2 and 3 are predicted; key 0 on at step 2 only.
    const train = toRoll([[21], [], [], []]);
    const evalRoll = toRoll([[21], [21], []]);
    const { probs, natsPerStep } = bernoulliFloor([train], [evalRoll]);
    expect(probs[0]).toBeCloseTo(0.25, 12);
    expect(probs[1]).toBeCloseTo(1e-5, 12);
    const silent = 87 * -Math.log(1 - 1e-5);
    const expected = (-Math.log(0.25) + silent + -Math.log(0.75) + silent) / 2;
    expect(natsPerStep).toBeCloseTo(expected, 10);
  });

  it('batches shift inputs and targets by one step and mask the padding', async () => {
    const b = rollBatch([toRoll([[60], [62], [64]]), toRoll([[40], [41]])]);
    expect(b.inputs.shape).toEqual([2, 2, KEYS]);
    expect(b.steps).toBe(3);
    expect(await b.mask.array()).toEqual([
      [1, 1],
      [1, 0],
    ]);
    const x = (await b.inputs.array()) as number[][][];
    const y = (await b.targets.array()) as number[][][];
    expect(x[0]![1]![62 - 21]).toBe(1); // input step 2 = chord 2
    expect(y[0]![1]![64 - 21]).toBe(1); // target step 2 = chord 3
    expect(y[1]![0]![41 - 21]).toBe(1);
    disposeBatch(b);
  });
});

describe('music models', () => {
  it.each([
    ['tanh', 100, 27_788],
    ['gru', 46, 22_904],
    ['lstm', 36, 21_364], // 4 gates + 3 peephole vectors
  ] as const)('%s with %i units has %i parameters (about 20k, Chung et al. 2014)', (cell, units, count) => {
    const model = createMusicModel({ kind: 'music-rnn', cell, units, seed: 0 });
    expect(parameterCount(model)).toBe(count);
    disposeMusicModel(model);
  });

  it('evaluation and sampling leak no tensors and are deterministic per seed', async () => {
    const model = createMusicModel({ kind: 'music-rnn', cell: 'lstm', units: 4, seed: 1 });
    const rolls = [toRoll([[60], [62, 64], [65]]), toRoll([[48, 52], [50]])];
    const nll = await expectNoLeakedTensors(() => evaluateNll(model, rolls));
    // An untrained model is near p = 1/2 per key: about 88 ln 2 nats per step.
    expect(nll).toBeGreaterThan(40);
    expect(nll).toBeLessThan(80);
    await expectNoLeakedTensors(() => {
      tf.tidy(() => {
        musicLogits(model, tf.zeros([1, 3, KEYS]) as tf.Tensor3D);
      });
    });
    const first = rolls[0]!.data.subarray(0, KEYS);
    const a = await expectNoLeakedTensors(() => sampleRoll(model, first, 6, { seed: 5 }));
    const b = await sampleRoll(model, first, 6, { seed: 5 });
    expect(a.time).toBe(6);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data.subarray(0, KEYS))).toEqual(Array.from(first));
    disposeMusicModel(model);
  });
});

describe('saved music models', () => {
  it('load back with the same config and weights (from a file read as a Node Buffer)', async () => {
    const model = createMusicModel({ kind: 'music-rnn', cell: 'gru', units: 5, seed: 3 });
    const file = join(mkdtempSync(join(tmpdir(), 'strand-music-save-')), 'gru.safetensors');
    writeFileSync(file, await saveMusicModel(model, { firstChord: [1, 0, 1] }));
    const loaded = await loadMusicModel(file);
    expect(loaded.model.config).toEqual(model.config);
    expect(loaded.firstChord).toEqual([1, 0, 1]);
    const a = namedParameters(model.params);
    const b = namedParameters(loaded.model.params);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [path, v] of a)
      expect(Array.from(await b.get(path)!.data())).toEqual(Array.from(await v.data()));
    disposeMusicModel(model);
    disposeMusicModel(loaded.model);
  });
});

describe('MIDI files', () => {
  const roll: Roll = toRoll([[60, 64, 67], [60, 64, 67], [62, 65], [], [59, 108, 21]]);

  it('written with @tonejs/midi and read back give the same roll (held keys merged)', () => {
    const bytes = rollToMidi(roll, { bpm: 90 });
    // An independent read of the file: tonejs's own parser, notes in ticks.
    const midi = new Midi(bytes);
    expect(midi.header.tempos[0]!.bpm).toBeCloseTo(90, 3); // stored as whole microseconds per quarter
    const notes = midi.tracks[0]!.notes.map((n) => [
      n.midi,
      n.ticks / midi.header.ppq,
      n.durationTicks / midi.header.ppq,
    ]);
    expect(notes.sort()).toEqual(
      [
        [60, 0, 2],
        [64, 0, 2],
        [67, 0, 2],
        [62, 2, 1],
        [65, 2, 1],
        [59, 4, 1],
        [108, 4, 1],
        [21, 4, 1],
      ].sort(),
    );
    expect(rollNotes(roll)).toHaveLength(8);
    const back = midiToRoll(bytes);
    expect(back.roll.time).toBe(5);
    expect(Array.from(back.roll.data)).toEqual(Array.from(roll.data));
  });

  it('the reader survives 500 seeded mutations with only typed errors', async () => {
    const report = await fuzzReader({
      input: rollToMidi(roll),
      read: (bytes) => midiToRoll(bytes, 'fuzz.mid'),
      count: 500,
      seed: 7,
    });
    expect(report.accepted + report.rejected).toBe(500);
    expect(report.rejected).toBeGreaterThan(0);
  });

  it('garbage is a FormatError naming the file', () => {
    try {
      midiToRoll(new TextEncoder().encode('not a midi file'), 'x.mid');
      expect.unreachable();
    } catch (error) {
      expect(isStrandError(error)).toBe(true);
      expect(String(error)).toMatch(/MIDI/);
      expect(String(error)).toMatch(/x\.mid/);
    }
  });
});

const HAS_JSB = hasData('jsb-chorales', 'jsb-chorales-quarter.json');

describe.skipIf(!HAS_JSB)('strand music (JSB chorales slice)', () => {
  const out = mkdtempSync(join(tmpdir(), 'strand-music-'));

  it('trains GRU and tanh RNN on a slice to below the Bernoulli floor, with a sane --json result', async () => {
    const r = await runCli([
      'music',
      '--json',
      '--limit',
      '16',
      '--models',
      'gru,tanh',
      '--units',
      '24',
      '--epochs',
      '10',
      '--lr',
      '0.01',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.command).toBe('music');
    expect(result.splits).toEqual({ train: 16, valid: 16, test: 16 });
    expect(Number.isFinite(result.floor.natsPerStep)).toBe(true);
    expect(result.floor.published).toBe(11.06);
    expect(result.models.map((m: { cell: string }) => m.cell)).toEqual(['gru', 'tanh']);
    for (const m of result.models) {
      expect(Number.isFinite(m.testNll)).toBe(true);
      expect(m.testNll).toBeLessThan(result.floor.natsPerStep);
      expect(m.testNll).toBeGreaterThan(0);
      expect(m.epochs.length).toBeGreaterThan(0);
      expect(m.bestValidNll).toBeCloseTo(
        Math.min(...m.epochs.map((e: { validNll: number }) => e.validNll)),
        10,
      );
    }
    expect(result.models[0].parameters).toBe(3 * (88 * 24 + 24 * 24 + 2 * 24) + 24 * 88 + 88);
  }, 150_000);

  it('generate writes a MIDI file (read back) and a piano-roll SVG from the saved model', async () => {
    const mid = join(out, 'chorale.mid');
    const r = await runCli([
      'music',
      'generate',
      '--json',
      '--model',
      join(out, 'gru.safetensors'),
      '--bars',
      '4',
      '--out',
      mid,
      '--seed',
      '3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.steps).toBe(16);
    expect(result.readBack.matches).toBe(true);
    const midi = new Midi(readFileSync(mid));
    const notes = midi.tracks.flatMap((t) => t.notes);
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      expect(n.midi).toBeGreaterThanOrEqual(21);
      expect(n.midi).toBeLessThanOrEqual(108);
      expect((n.ticks + n.durationTicks) / midi.header.ppq).toBeLessThanOrEqual(16);
    }
    expect(readFileSync(result.svg, 'utf8').startsWith('<svg')).toBe(true);
    // Same seed, same chorale.
    const again = await runCli([
      'music',
      'generate',
      '--json',
      '--model',
      join(out, 'gru.safetensors'),
      '--bars',
      '4',
      '--out',
      join(out, 'again.mid'),
      '--seed',
      '3',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'again.mid'))).toEqual(readFileSync(mid));
  }, 60_000);
});

describe('strand music: bad input', () => {
  it.each([
    [['music', '--models', 'gru,piano'], /--models: expected one of tanh, gru, lstm, received 'piano'/],
    [['music', '--size', 'huge'], /--size.*huge/],
    [['music', 'generate', '--bars', '0'], /--bars.*expected an integer >= 1, received '0'/],
    [['music', 'generate', '--out', 'song.txt'], /--out: expected a .mid file name, received 'song.txt'/],
    [
      ['music', 'generate', '--model', '/nonexistent/gru.safetensors'],
      /no music model at \/nonexistent\/gru.safetensors/,
    ],
  ])('%j gives one clear line and exit 2', async (args, pattern) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
