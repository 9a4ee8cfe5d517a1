/**
 * The BiLSTM tagger on disk: `bilstm.safetensors` with the weights by parameter path and the config
 * (vocabularies included) as JSON in the metadata (`strand.tag`).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, parseJson } from '@strand/base';
import { loadParameters, parseSafetensors, serializeSafetensors } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BiLstmConfig, type BiLstmTagger, bilstmVariables, createBiLstmTagger } from './bilstm.js';

const META_KEY = 'strand.tag';

export function saveBiLstm(model: BiLstmTagger): Promise<Uint8Array> {
  return serializeSafetensors(bilstmVariables(model), { [META_KEY]: JSON.stringify(model.config) });
}

/** The saved tagger, or undefined when `path` does not exist. */
export async function loadBiLstm(path: string): Promise<BiLstmTagger | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  // A plain Uint8Array copy: parseSafetensors misreads a Node Buffer (its slice() is a view, not a copy).
  const file = parseSafetensors(new Uint8Array(bytes), { file: path });
  try {
    const meta = file.metadata[META_KEY];
    if (meta === undefined)
      throw new ConfigError(`${path} is not a strand tag model (no ${META_KEY} metadata)`, 'model');
    const config = parseJson(meta, { format: 'strand tag metadata', source: path }) as BiLstmConfig;
    if (config.kind !== 'bilstm-char-tagger' || !Array.isArray(config.words) || !Array.isArray(config.tags))
      throw new ConfigError(`${path}: its metadata is not a BiLSTM tagger config`, 'model');
    const model = createBiLstmTagger(config);
    loadParameters(model.params as never, file.tensors, { file: path });
    return model;
  } finally {
    tf.dispose([...file.tensors.values()]);
  }
}
