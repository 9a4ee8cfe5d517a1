/**
 * Piano rolls to standard MIDI files with @tonejs/midi (and back, to check what was written), and
 * to a piano-roll picture with Vega-Lite. A step is a quarter note; a key held over consecutive
 * steps becomes one longer note (the data set does not mark re-strikes).
 */

import { FormatError } from '@strand/base';
import { PIANO_MIN_PITCH } from '@strand/data';
import tonejsMidi from '@tonejs/midi';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../frame/plot.js';
import { KEYS, type Roll } from './roll.js';

const { Midi } = tonejsMidi;

/** Longest piece `midiToRoll` reads, in quarter notes (a bound on memory for hostile files). */
const MAX_STEPS = 100_000;

export interface RollNote {
  /** MIDI pitch. */
  readonly pitch: number;
  /** First step. */
  readonly start: number;
  /** Steps held. */
  readonly steps: number;
}

/** The notes of a roll, consecutive steps of one key merged. */
export function rollNotes(roll: Roll): RollNote[] {
  const notes: RollNote[] = [];
  for (let k = 0; k < KEYS; k++) {
    let start = -1;
    for (let t = 0; t <= roll.time; t++) {
      const on = t < roll.time && roll.data[t * KEYS + k] === 1;
      if (on && start < 0) start = t;
      if (!on && start >= 0) {
        notes.push({ pitch: k + PIANO_MIN_PITCH, start, steps: t - start });
        start = -1;
      }
    }
  }
  return notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
}

/** A one-track standard MIDI file (format 1), `bpm` quarter notes a minute. */
export function rollToMidi(roll: Roll, { bpm = 80, name = 'strand chorale' } = {}): Uint8Array {
  const midi = new Midi();
  midi.header.setTempo(bpm);
  midi.header.name = name;
  const track = midi.addTrack();
  track.name = 'choir';
  const ppq = midi.header.ppq;
  for (const n of rollNotes(roll))
    track.addNote({ midi: n.pitch, ticks: n.start * ppq, durationTicks: n.steps * ppq, velocity: 0.8 });
  return midi.toArray();
}

/** Reads a MIDI file's notes back as a roll of quarter-note steps (the check of `rollToMidi`). */
export function midiToRoll(bytes: Uint8Array, source = 'MIDI file'): { roll: Roll; bpm: number | undefined } {
  let midi: InstanceType<typeof Midi>;
  try {
    midi = new Midi(bytes);
  } catch (error) {
    throw new FormatError(
      'MIDI',
      error instanceof Error ? error.message : String(error),
      { source },
      { cause: error },
    );
  }
  const ppq = midi.header.ppq;
  if (!Number.isInteger(ppq) || ppq <= 0)
    throw new FormatError('MIDI', `expected a positive ticks-per-quarter division, received ${ppq}`, {
      source,
    });
  const notes = midi.tracks.flatMap((t) => t.notes);
  let time = 0;
  for (const n of notes) {
    if (!Number.isFinite(n.ticks) || !Number.isFinite(n.durationTicks) || n.ticks < 0 || n.durationTicks < 0)
      throw new FormatError(
        'MIDI',
        `note ${n.midi} has start ${n.ticks} and duration ${n.durationTicks} ticks`,
        { source },
      );
    time = Math.max(time, Math.round((n.ticks + n.durationTicks) / ppq));
  }
  if (time > MAX_STEPS)
    throw new FormatError(
      'MIDI',
      `the notes span ${time} quarter notes, more than the ${MAX_STEPS} read here`,
      { source },
    );
  const data = new Uint8Array(time * KEYS);
  for (const n of notes) {
    const k = n.midi - PIANO_MIN_PITCH;
    if (k < 0 || k >= KEYS) continue;
    const from = Math.round(n.ticks / ppq);
    const to = Math.round((n.ticks + n.durationTicks) / ppq);
    for (let t = from; t < to; t++) data[t * KEYS + k] = 1;
  }
  return { roll: { data, time }, bpm: midi.header.tempos[0]?.bpm };
}

/** The roll as an SVG picture: time across, pitch up, one bar per note. */
export function pianoRollSvg(roll: Roll, title: string): Promise<string> {
  const values = rollNotes(roll).map((n) => ({ start: n.start, end: n.start + n.steps, pitch: n.pitch }));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: Math.max(300, roll.time * 8),
    height: 240,
    data: { values },
    mark: { type: 'bar', height: 3 },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: 'time (quarter notes)' },
      x2: { field: 'end' },
      y: { field: 'pitch', type: 'quantitative', title: 'MIDI pitch', scale: { zero: false } },
    },
  };
  return renderSvg(spec);
}
