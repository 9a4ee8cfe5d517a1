/**
 * A saved model is ONE safetensors file: the checkpoint's tensors (model weights, optimizer moments,
 * carried state) with the checkpoint JSON (config, vocabulary, step, RNG) in its `__metadata__`.
 * The same bytes are downloaded, uploaded and kept in IndexedDB so a reload keeps the model.
 */
import { FormatError } from '@strand/base';
import { parseSafetensors, serializeSafetensors } from '@strand/core';
import { type Checkpoint, decodeCheckpoint, parseCheckpointMeta } from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';

const META_KEY = 'strand.checkpoint';

/** The checkpoint pair (JSON + tensor bytes) as one self-describing safetensors file. */
export async function checkpointFile(json: string, bytes: Uint8Array): Promise<Uint8Array> {
  const { tensors } = decodeCheckpoint(json, bytes);
  try {
    return await serializeSafetensors(tensors, { [META_KEY]: json });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Reads a file written by checkpointFile. FormatError when it is not one. */
export function readCheckpointFile(file: Uint8Array, source: string): Checkpoint {
  const { tensors, metadata } = parseSafetensors(file, { file: source });
  const json = metadata[META_KEY];
  if (json === undefined) {
    tf.dispose([...tensors.values()]);
    throw new FormatError('strand playground model', `no '${META_KEY}' entry in the safetensors metadata`, {
      source,
    });
  }
  try {
    return { meta: parseCheckpointMeta(json, source), tensors };
  } catch (e) {
    tf.dispose([...tensors.values()]);
    throw e;
  }
}
