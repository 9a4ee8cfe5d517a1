/**
 * A trained music model on disk: `<name>.safetensors` holds the weights by parameter path, with the
 * model's JSON config in the metadata (`strand.music`), so `strand music generate` can rebuild it.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, parseJson } from '@strand/base';
import { loadParameters, namedParameters, parseSafetensors, serializeSafetensors } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../frame/errors.js';
import { createMusicModel, MUSIC_CELLS, type MusicModel, type MusicModelConfig } from './model.js';

const META_KEY = 'strand.music';

export function saveMusicModel(
  model: MusicModel,
  extra: { readonly firstChord: number[] },
): Promise<Uint8Array> {
  return serializeSafetensors(namedParameters(model.params), {
    [META_KEY]: JSON.stringify({ config: model.config, ...extra }),
  });
}

export async function loadMusicModel(path: string): Promise<{ model: MusicModel; firstChord: number[] }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`no music model at ${path} (train one first: strand music --out <dir>)`);
  }
  // A plain Uint8Array copy: parseSafetensors misreads a Node Buffer (its slice() is a view, not a copy).
  const file = parseSafetensors(new Uint8Array(bytes), { file: path });
  try {
    const meta = file.metadata[META_KEY];
    if (meta === undefined)
      throw new UsageError(`${path} is not a strand music model (no ${META_KEY} metadata)`);
    const parsed = parseJson(meta, { format: 'strand music metadata', source: path }) as {
      config?: MusicModelConfig;
      firstChord?: number[];
    };
    const c = parsed.config;
    if (
      !c ||
      !(MUSIC_CELLS as readonly string[]).includes(c.cell) ||
      !Number.isInteger(c.units) ||
      c.units < 1
    )
      throw new ConfigError(`${path}: the model config in its metadata is not a music model`, 'config');
    const model = createMusicModel({ kind: 'music-rnn', cell: c.cell, units: c.units, seed: c.seed ?? 0 });
    loadParameters(model.params, file.tensors, { file: path });
    return { model, firstChord: Array.isArray(parsed.firstChord) ? parsed.firstChord : [] };
  } finally {
    tf.dispose([...file.tensors.values()]);
  }
}
