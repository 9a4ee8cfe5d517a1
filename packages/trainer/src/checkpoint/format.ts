/**
 * A checkpoint as two byte blobs (browser-safe): one safetensors file holding every tensor
 * (`model.<path>`, `optim.<buffer>.<path>`, `state.<i>` for the carried recurrent state) and one JSON
 * document holding everything else (model config, optimizer and scheduler state, step, RNG state,
 * data position, best metric, and the caller's `extra`, e.g. the vocabulary). The JSON names the
 * tensor file's length and FNV-1a checksum, so a torn or mismatched pair is rejected, never loaded.
 */
import { FormatError, jsonChecker, parseJson, type RngState, StrandError } from '@strand/base';
import { parseSafetensors, serializeSafetensors } from '@strand/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../model.js';
import type { OptimizerState, SchedulerState } from '../optim/types.js';

export const CHECKPOINT_FORMAT = 'strand checkpoint';

/** Everything but the tensors. */
export interface CheckpointMeta {
  readonly format: 'strand-checkpoint';
  readonly version: 1;
  /** Optimizer steps taken. */
  readonly step: number;
  /** Data position of the next batch: epoch and batch index. */
  readonly epoch: number;
  readonly batchIndex: number;
  /** The run's seed. */
  readonly seed: number;
  readonly model: ModelConfig;
  /** The optimizer's `state()` without its tensors (kind, step, config, per-parameter steps). */
  readonly optimizer: Omit<OptimizerState, 'tensors'>;
  readonly scheduler: SchedulerState | null;
  readonly rng: RngState;
  /** Latest evaluation metrics. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Best value of the early-stopping / keepBest metric so far. */
  readonly best: { readonly metric: string; readonly value: number; readonly step: number } | null;
  /** Evaluations without improvement (early stopping's counter). */
  readonly badEvals: number;
  /** Number of `state.<i>` tensors (0 when no state is carried). */
  readonly stateTensors: number;
  /** Caller data: tokenizer or vocabulary JSON, run settings. */
  readonly extra: unknown;
  readonly tensorFile: { readonly bytes: number; readonly fnv1a: string };
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  /** Owned by whoever decoded the checkpoint; dispose them when done. */
  readonly tensors: Map<string, tf.Tensor>;
}

/** FNV-1a (32-bit) of the bytes, as 8 hex digits. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The two blobs of a checkpoint. The tensors are not disposed. */
export async function encodeCheckpoint(
  meta: Omit<CheckpointMeta, 'format' | 'version' | 'tensorFile'>,
  tensors: ReadonlyMap<string, tf.Tensor>,
): Promise<{ json: string; bytes: Uint8Array }> {
  const bytes = await serializeSafetensors(tensors, { format: 'strand-checkpoint' });
  const full: CheckpointMeta = {
    format: 'strand-checkpoint',
    version: 1,
    ...meta,
    tensorFile: { bytes: bytes.byteLength, fnv1a: fnv1a(bytes) },
  };
  return { json: `${JSON.stringify(full, null, 1)}\n`, bytes };
}

/** Parses and checks a checkpoint's JSON (FormatError naming the field). */
export function parseCheckpointMeta(json: string, source?: string): CheckpointMeta {
  const format = CHECKPOINT_FORMAT;
  const c = jsonChecker({ format, source });
  const root = c.object(parseJson(json, { format, source }), '$');
  if (root['format'] !== 'strand-checkpoint') c.fail('format', '"strand-checkpoint"', root['format']);
  if (root['version'] !== 1) c.fail('version', '1', root['version']);
  for (const k of ['step', 'epoch', 'batchIndex', 'seed', 'badEvals', 'stateTensors']) c.index(root[k], k);
  const model = c.object(root['model'], 'model');
  c.string(model['kind'], 'model.kind');
  const optimizer = c.object(root['optimizer'], 'optimizer');
  c.string(optimizer['kind'], 'optimizer.kind');
  c.index(optimizer['step'], 'optimizer.step');
  const config = c.object(optimizer['config'], 'optimizer.config');
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== 'string' && typeof v !== 'boolean') c.number(v, `optimizer.config.${k}`);
  }
  if (optimizer['steps'] !== undefined) {
    for (const [k, v] of Object.entries(c.object(optimizer['steps'], 'optimizer.steps')))
      c.index(v, `optimizer.steps.${k}`);
  }
  if (root['scheduler'] !== null)
    c.string(c.object(root['scheduler'], 'scheduler')['kind'], 'scheduler.kind');
  const rng = c.object(root['rng'], 'rng');
  const s = c.array(rng['s'], 'rng.s');
  if (s.length !== 4) c.fail('rng.s', 'four 32-bit words', s);
  for (let i = 0; i < s.length; i++) c.index(s[i], `rng.s[${i}]`, 0xffffffff);
  if (rng['spare'] !== null) c.number(rng['spare'], 'rng.spare');
  const metrics = c.object(root['metrics'], 'metrics');
  for (const [k, v] of Object.entries(metrics)) c.number(v, `metrics.${k}`);
  if (root['best'] !== null) {
    const best = c.object(root['best'], 'best');
    c.string(best['metric'], 'best.metric');
    c.number(best['value'], 'best.value');
    c.index(best['step'], 'best.step');
  }
  const file = c.object(root['tensorFile'], 'tensorFile');
  c.index(file['bytes'], 'tensorFile.bytes');
  const hash = c.string(file['fnv1a'], 'tensorFile.fnv1a');
  if (!/^[0-9a-f]{8}$/.test(hash)) c.fail('tensorFile.fnv1a', '8 hex digits', hash);
  return root as unknown as CheckpointMeta;
}

/**
 * Checks the pair and makes the tensors. Throws FormatError (a StrandError) for anything wrong:
 * bad JSON, a tensor file of the wrong length or checksum, or a malformed safetensors file.
 */
export function decodeCheckpoint(
  json: string,
  bytes: Uint8Array,
  options: { source?: string } = {},
): Checkpoint {
  const meta = parseCheckpointMeta(json, options.source);
  const where = { source: options.source };
  if (bytes.byteLength !== meta.tensorFile.bytes) {
    throw new FormatError(
      CHECKPOINT_FORMAT,
      `tensor file has ${bytes.byteLength} bytes, the JSON expects ${meta.tensorFile.bytes}`,
      where,
    );
  }
  const hash = fnv1a(bytes);
  if (hash !== meta.tensorFile.fnv1a) {
    throw new FormatError(
      CHECKPOINT_FORMAT,
      `tensor file checksum ${hash}, the JSON expects ${meta.tensorFile.fnv1a}`,
      where,
    );
  }
  try {
    const { tensors } = parseSafetensors(bytes, options.source === undefined ? {} : { file: options.source });
    return { meta, tensors };
  } catch (e) {
    if (e instanceof StrandError) throw e;
    throw new FormatError(CHECKPOINT_FORMAT, `tensor file: ${(e as Error).message}`, where, { cause: e });
  }
}

/** The tensors under `prefix.` with the prefix removed (views of the same tensors). */
export function tensorsUnder(
  tensors: ReadonlyMap<string, tf.Tensor>,
  prefix: string,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, v] of tensors) if (k.startsWith(`${prefix}.`)) out.set(k.slice(prefix.length + 1), v);
  return out;
}
