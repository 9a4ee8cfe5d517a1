/**
 * JSB chorales (Boulanger-Lewandowski et al. 2012, czhuang/JSB-Chorales-dataset JSON): `{ train,
 * valid, test }`, each a list of chorales, each a list of time steps, each a list of the MIDI
 * pitches sounding (21-108, the 88 piano keys; an empty step is a rest).
 */
import { describeValue, FormatError, InputError, parseJson } from '@strand/base';
import { inputText, type ParseOptions, type TextInput } from './text.js';

const FORMAT = 'JSB chorales JSON';

/** Lowest and highest piano key (MIDI), and the number of keys. */
export const PIANO_MIN_PITCH = 21;
export const PIANO_MAX_PITCH = 108;
export const PIANO_KEYS = 88;

/** A chorale: time steps of sounding MIDI pitches. */
export type Chorale = number[][];

export const JSB_SPLITS = ['train', 'valid', 'test'] as const;
export type JsbSplit = (typeof JSB_SPLITS)[number];
export type JsbChorales = Record<JsbSplit, Chorale[]>;

/**
 * The chorales, strictly checked: exactly the keys train, valid and test; each chorale a non-empty
 * array of time steps; each step an array of distinct integer pitches in [21, 108]. An error names
 * the JSON path, e.g. `$.train[3][17][2]`.
 *
 * @example
 * const { train, valid, test } = parseJsbChorales(await readFile('jsb-chorales-quarter.json')); // 229 / 76 / 77
 */
export function parseJsbChorales(input: TextInput, options: ParseOptions = {}): JsbChorales {
  const { source } = options;
  const fail = (path: string, expected: string, value: unknown): never => {
    throw new FormatError(FORMAT, `expected ${expected}, received ${describeValue(value)}`, { source, path });
  };
  const json = parseJson(inputText(input, FORMAT, source), { format: FORMAT, source, maxDepth: 8 });
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    fail('$', 'an object { train, valid, test }', json);
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(JSB_SPLITS as readonly string[]).includes(key))
      fail(`$.${key}`, 'only the keys train, valid and test', key);
  }
  const out = {} as JsbChorales;
  for (const split of JSB_SPLITS) {
    const chorales = o[split];
    if (!Array.isArray(chorales)) fail(`$.${split}`, 'an array of chorales', chorales);
    out[split] = (chorales as unknown[]).map((chorale, c) => {
      const at = `$.${split}[${c}]`;
      if (!Array.isArray(chorale) || chorale.length === 0)
        fail(at, 'a non-empty array of time steps', chorale);
      return (chorale as unknown[]).map((step, t) => {
        if (!Array.isArray(step)) fail(`${at}[${t}]`, 'an array of MIDI pitches', step);
        const seen = new Set<number>();
        return (step as unknown[]).map((pitch, k) => {
          if (
            typeof pitch !== 'number' ||
            !Number.isInteger(pitch) ||
            pitch < PIANO_MIN_PITCH ||
            pitch > PIANO_MAX_PITCH
          ) {
            fail(
              `${at}[${t}][${k}]`,
              `an integer MIDI pitch in [${PIANO_MIN_PITCH}, ${PIANO_MAX_PITCH}]`,
              pitch,
            );
          }
          if (seen.has(pitch as number))
            fail(`${at}[${t}][${k}]`, 'a pitch not already in this time step', pitch);
          seen.add(pitch as number);
          return pitch as number;
        });
      });
    });
  }
  return out;
}

/** The chorales as JSON text (the same layout as the data set's file). The inverse of `parseJsbChorales`. */
export function serializeJsbChorales(data: JsbChorales): string {
  return JSON.stringify({ train: data.train, valid: data.valid, test: data.test });
}

/**
 * A chorale as a multi-hot piano roll: `roll[t * 88 + (pitch - 21)] = 1` for each pitch sounding
 * at step t. Shape [time, 88] row-major, the target of an 88-way binary cross-entropy.
 *
 * @example
 * pianoRoll([[60, 64], []]) // length 176; roll[39] = roll[43] = 1, the rest 0
 */
export function pianoRoll(chorale: readonly (readonly number[])[]): Uint8Array {
  if (!Array.isArray(chorale))
    throw new InputError({
      what: 'pianoRoll chorale',
      expected: 'an array of time steps',
      received: describeValue(chorale),
    });
  const roll = new Uint8Array(chorale.length * PIANO_KEYS);
  chorale.forEach((step, t) => {
    if (!Array.isArray(step))
      throw new InputError({
        what: `pianoRoll step ${t}`,
        expected: 'an array of MIDI pitches',
        received: describeValue(step),
      });
    step.forEach((pitch, k) => {
      if (!Number.isInteger(pitch) || pitch < PIANO_MIN_PITCH || pitch > PIANO_MAX_PITCH) {
        throw new InputError({
          what: `pianoRoll pitch ${k} of step ${t}`,
          expected: `an integer in [${PIANO_MIN_PITCH}, ${PIANO_MAX_PITCH}]`,
          received: describeValue(pitch),
        });
      }
      roll[t * PIANO_KEYS + pitch - PIANO_MIN_PITCH] = 1;
    });
  });
  return roll;
}
