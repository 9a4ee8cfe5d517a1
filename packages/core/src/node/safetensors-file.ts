import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@strand/base/node';
import * as tf from '@tensorflow/tfjs-core';
import { namedParameters, type Params } from '../params.js';
import { parseSafetensors, type Safetensors } from '../safetensors/parse.js';
import { type NamedTensors, safetensorsChunks } from '../safetensors/serialize.js';
import { type LoadOptions, type LoadReport, loadParameters } from '../weights.js';

function isNamedTensors(source: Params | NamedTensors): source is NamedTensors {
  if (source instanceof Map) return true;
  if (source === null || source instanceof tf.Tensor || Array.isArray(source)) return false;
  // A flat record of plain tensors; a record of variables reads the same as a Params tree.
  return Object.values(source).every((v) => v instanceof tf.Tensor && !(v instanceof tf.Variable));
}

/**
 * Writes a parameter tree (keyed by path) or named tensors as a safetensors file, atomically:
 * a failed save leaves any previous file intact. Tensors are streamed one at a time.
 *
 * @example
 * await saveSafetensorsFile('model.safetensors', model, { step: '1000' });
 */
export async function saveSafetensorsFile(
  path: string,
  source: Params | NamedTensors,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const named = isNamedTensors(source) ? source : namedParameters(source);
  await writeFileAtomic(path, safetensorsChunks(named, metadata));
}

/**
 * Reads a safetensors file; errors name the file. The caller owns (and disposes) the tensors.
 *
 * @example
 * const { tensors, metadata } = await loadSafetensorsFile('model.safetensors');
 */
export async function loadSafetensorsFile(path: string): Promise<Safetensors> {
  const bytes = await readFile(path);
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { file: path });
}

/**
 * Loads a safetensors file into a parameter tree (see `loadParameters`) and disposes the read tensors.
 *
 * @example
 * await loadParametersFile(model, 'model.safetensors');
 */
export async function loadParametersFile(
  tree: Params,
  path: string,
  options: Omit<LoadOptions, 'file'> = {},
): Promise<LoadReport & { readonly metadata: Record<string, string> }> {
  const { tensors, metadata } = await loadSafetensorsFile(path);
  try {
    return { ...loadParameters(tree, tensors, { ...options, file: path }), metadata };
  } finally {
    tf.dispose([...tensors.values()]);
  }
}
