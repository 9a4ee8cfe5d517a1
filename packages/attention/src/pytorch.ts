/**
 * PyTorch state_dict interop for nn.MultiheadAttention, nn.TransformerEncoderLayer and
 * nn.TransformerDecoderLayer (and their stacks). PyTorch stores Linear weights as [out, in]; Strand
 * as kernels [in, out]: every weight is transposed at this boundary and nowhere else.
 *
 * nn.MultiheadAttention packs q/k/v into `in_proj_weight` [3E, E] when kdim = vdim = E, and keeps
 * `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim] otherwise; the biases
 * are always packed in `in_proj_bias` [3E]. `add_bias_kv` and `add_zero_attn` are not supported.
 */
import { decodeUtf8, FormatError, formatShape, jsonChecker, parseJson, ShapeError } from '@strand/base';
import type { LayerNormParams, LinearParams } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TransformerDecoderLayer } from './decoder-layer.js';
import { type TransformerEncoderLayer, transformerLayerSpec } from './encoder-layer.js';
import type { Activation } from './feed-forward.js';
import { type MultiHeadAttention, multiHeadAttentionSpec } from './multi-head.js';
import { tidy } from './tidy.js';

/** A PyTorch state_dict: dotted key -> tensor in PyTorch's layout. */
export type TorchStateDict = Readonly<Record<string, tf.Tensor>>;

const FORMAT = 'state_dict JSON';

/**
 * The JSON form of a state_dict, `{ "key": { "shape": [..], "data": [..] }, ... }` (what
 * `test/make_fixtures.py` writes with `{k: {"shape": list(t.shape), "data": t.flatten().tolist()}}`),
 * already parsed, -> float32 tensors. Checks every entry: a wrong field, a non-finite number or a
 * data length that does not match the shape is a FormatError naming the key.
 */
export function stateDictFromJson(
  json: unknown,
  { source }: { readonly source?: string } = {},
): Record<string, tf.Tensor> {
  const check = jsonChecker({ format: FORMAT, source });
  const entries = Object.entries(check.object(json, '(root)'));
  const parsed = entries.map(([key, value]) => {
    const entry = check.object(value, key);
    const shape = check
      .array(entry['shape'], `${key}.shape`)
      .map((d, i) => check.index(d, `${key}.shape[${i}]`, 1 << 24));
    const data = check.array(entry['data'], `${key}.data`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      check.fail(`${key}.data`, `${size} numbers (shape [${shape.join(', ')}])`, data);
    }
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = check.number(data[i], `${key}.data[${i}]`);
    return { key, shape, values };
  });
  const out: Record<string, tf.Tensor> = {};
  for (const { key, shape, values } of parsed) out[key] = tf.tensor(values, shape, 'float32');
  return out;
}

/** Reads a state_dict JSON file (text, or bytes as strict UTF-8; strict JSON, depth-checked) -> tensors. */
export function parseStateDictJson(
  input: string | Uint8Array,
  options: { readonly source?: string } = {},
): Record<string, tf.Tensor> {
  const text =
    typeof input === 'string' ? input : decodeUtf8(input, { format: FORMAT, source: options.source });
  return stateDictFromJson(parseJson(text, { format: FORMAT, source: options.source, maxDepth: 8 }), options);
}

/** The JSON form of a state_dict (the inverse of `stateDictFromJson`). */
export function stateDictToJson(sd: TorchStateDict): Record<string, { shape: number[]; data: number[] }> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [key, t] of Object.entries(sd))
    out[key] = { shape: [...t.shape], data: Array.from(t.dataSync()) };
  return out;
}

function take(sd: TorchStateDict, key: string, shape: readonly number[] | null): tf.Tensor | null {
  const t = sd[key];
  if (t === undefined) return null;
  if (shape && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    throw new ShapeError(`state_dict['${key}']`, shape, t.shape);
  }
  return t;
}

function need(sd: TorchStateDict, key: string, shape: readonly number[] | null): tf.Tensor {
  const t = take(sd, key, shape);
  if (t === null) {
    const near = Object.keys(sd)
      .filter((k) => k.endsWith(key.split('.').pop()!))
      .slice(0, 4);
    throw new FormatError(
      'PyTorch state_dict',
      `missing key '${key}'${near.length ? ` (keys with that suffix: ${near.join(', ')})` : ''}`,
      { path: key },
    );
  }
  return t;
}

const variable = (t: tf.Tensor) => tf.variable(t.clone() as tf.Tensor, true);

/** Linear from weight [out, in] and bias [out] -> kernel [in, out]. */
function linearFrom(weight: tf.Tensor, bias: tf.Tensor | null): LinearParams {
  return { kernel: tidy(() => tf.variable(tf.transpose(weight), true)), bias: bias ? variable(bias) : null };
}

function linearTo(p: LinearParams, prefix: string, out: Record<string, tf.Tensor>): void {
  out[`${prefix}weight`] = tf.transpose(p.kernel);
  if (p.bias) out[`${prefix}bias`] = p.bias.clone();
}

/**
 * Loads nn.MultiheadAttention weights.
 * @param prefix prepended to every key, e.g. 'self_attn.'
 * @throws FormatError for a missing key, ShapeError for a tensor of the wrong shape.
 */
export function multiHeadAttentionFromTorch(
  sd: TorchStateDict,
  { numHeads, prefix = '' }: { numHeads: number; prefix?: string },
): MultiHeadAttention {
  const outW = need(sd, `${prefix}out_proj.weight`, null);
  if (outW.rank !== 2 || outW.shape[0] !== outW.shape[1])
    throw new ShapeError(`state_dict['${prefix}out_proj.weight']`, '[E, E]', outW.shape);
  const e = outW.shape[0]!;
  const packed = take(sd, `${prefix}in_proj_weight`, [3 * e, e]);
  let wq: tf.Tensor;
  let wk: tf.Tensor;
  let wv: tf.Tensor;
  const ws: tf.Tensor[] = [];
  if (packed) {
    [wq, wk, wv] = tf.split(packed, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
    ws.push(wq, wk, wv);
  } else {
    wq = need(sd, `${prefix}q_proj_weight`, [e, e]);
    wk = need(sd, `${prefix}k_proj_weight`, null);
    wv = need(sd, `${prefix}v_proj_weight`, null);
    if (wk.rank !== 2 || wk.shape[0] !== e)
      throw new ShapeError(`state_dict['${prefix}k_proj_weight']`, [e, null], wk.shape);
    if (wv.rank !== 2 || wv.shape[0] !== e)
      throw new ShapeError(`state_dict['${prefix}v_proj_weight']`, [e, null], wv.shape);
  }
  const inBias = take(sd, `${prefix}in_proj_bias`, [3 * e]);
  const outBias = take(sd, `${prefix}out_proj.bias`, [e]);
  if ((inBias === null) !== (outBias === null)) {
    throw new FormatError(
      'PyTorch state_dict',
      `'${prefix}in_proj_bias' and '${prefix}out_proj.bias' must both be present or both absent`,
      { path: prefix },
    );
  }
  const spec = multiHeadAttentionSpec({
    embedDim: e,
    numHeads,
    kdim: wk.shape[1]!,
    vdim: wv.shape[1]!,
    bias: inBias !== null,
  });
  const biases = inBias ? (tf.split(inBias, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]) : [null, null, null];
  const m: MultiHeadAttention = {
    spec,
    params: {
      query: linearFrom(wq, biases[0]),
      key: linearFrom(wk, biases[1]),
      value: linearFrom(wv, biases[2]),
      output: linearFrom(outW, outBias),
    },
  };
  tf.dispose([...ws, ...biases.filter((b): b is tf.Tensor => b !== null)]);
  return m;
}

/**
 * nn.MultiheadAttention's state_dict: packed `in_proj_weight` when kdim = vdim = E, separate
 * q/k/v_proj_weight otherwise (what PyTorch itself holds). New tensors; the caller disposes them.
 */
export function multiHeadAttentionToTorch(m: MultiHeadAttention, prefix = ''): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const { query, key, value, output } = m.params;
  const packed = m.spec.kdim === m.spec.embedDim && m.spec.vdim === m.spec.embedDim;
  tidy(() => {
    if (packed)
      out[`${prefix}in_proj_weight`] = tf.keep(
        tf.concat([tf.transpose(query.kernel), tf.transpose(key.kernel), tf.transpose(value.kernel)], 0),
      );
    else {
      out[`${prefix}q_proj_weight`] = tf.keep(tf.transpose(query.kernel));
      out[`${prefix}k_proj_weight`] = tf.keep(tf.transpose(key.kernel));
      out[`${prefix}v_proj_weight`] = tf.keep(tf.transpose(value.kernel));
    }
    if (query.bias && key.bias && value.bias)
      out[`${prefix}in_proj_bias`] = tf.keep(tf.concat([query.bias, key.bias, value.bias], 0));
  });
  linearTo(output, `${prefix}out_proj.`, out);
  return out;
}

function normFrom(sd: TorchStateDict, prefix: string, size: number): LayerNormParams {
  return {
    gamma: variable(need(sd, `${prefix}weight`, [size])),
    beta: variable(need(sd, `${prefix}bias`, [size])),
  };
}

function normTo(p: LayerNormParams, prefix: string, out: Record<string, tf.Tensor>): void {
  out[`${prefix}weight`] = p.gamma.clone();
  out[`${prefix}bias`] = p.beta.clone();
}

/** How the PyTorch layer was built: what its state_dict does not record. */
export interface TorchLayerOptions {
  readonly numHeads: number;
  /** PyTorch's norm_first; default false. */
  readonly normFirst?: boolean;
  /** Default 'relu'. */
  readonly activation?: Activation;
  /** Default 1e-5. */
  readonly layerNormEps?: number;
  /** Dropout used when training in Strand; default 0. */
  readonly dropout?: number;
  /** Key prefix, e.g. 'layers.0.'. */
  readonly prefix?: string;
}

function layerCommon(sd: TorchStateDict, o: TorchLayerOptions) {
  const prefix = o.prefix ?? '';
  const l1 = need(sd, `${prefix}linear1.weight`, null);
  const dimFeedforward = l1.shape[0]!;
  const dModel = l1.shape[1]!;
  const spec = transformerLayerSpec({
    dModel,
    numHeads: o.numHeads,
    dimFeedforward,
    dropout: o.dropout ?? 0,
    activation: o.activation ?? 'relu',
    normFirst: o.normFirst ?? false,
    layerNormEps: o.layerNormEps ?? 1e-5,
    bias: take(sd, `${prefix}linear1.bias`, null) !== null,
  });
  const ff = {
    linear1: linearFrom(l1, take(sd, `${prefix}linear1.bias`, [dimFeedforward])),
    linear2: linearFrom(
      need(sd, `${prefix}linear2.weight`, [dModel, dimFeedforward]),
      take(sd, `${prefix}linear2.bias`, [dModel]),
    ),
  };
  const mha = (name: string) => {
    const m = multiHeadAttentionFromTorch(sd, { numHeads: o.numHeads, prefix: `${prefix}${name}.` });
    if (m.spec.embedDim !== dModel)
      throw new ShapeError(
        `state_dict['${prefix}${name}.out_proj.weight']`,
        [dModel, dModel],
        [m.spec.embedDim, m.spec.embedDim],
      );
    return m.params;
  };
  return { prefix, spec, ff, mha, norm: (name: string) => normFrom(sd, `${prefix}${name}.`, dModel) };
}

/** Loads nn.TransformerEncoderLayer weights (keys self_attn.*, linear1/2.*, norm1/2.*). */
export function encoderLayerFromTorch(sd: TorchStateDict, o: TorchLayerOptions): TransformerEncoderLayer {
  const c = layerCommon(sd, o);
  return {
    spec: c.spec,
    params: { selfAttn: c.mha('self_attn'), ff: c.ff, norm1: c.norm('norm1'), norm2: c.norm('norm2') },
  };
}

/** Loads nn.TransformerDecoderLayer weights (adds multihead_attn.* and norm3.*). */
export function decoderLayerFromTorch(sd: TorchStateDict, o: TorchLayerOptions): TransformerDecoderLayer {
  const c = layerCommon(sd, o);
  return {
    spec: c.spec,
    params: {
      selfAttn: c.mha('self_attn'),
      crossAttn: c.mha('multihead_attn'),
      ff: c.ff,
      norm1: c.norm('norm1'),
      norm2: c.norm('norm2'),
      norm3: c.norm('norm3'),
    },
  };
}

function attentionRecord(
  layer: TransformerEncoderLayer | TransformerDecoderLayer,
  params: MultiHeadAttention['params'],
): MultiHeadAttention {
  const s = layer.spec;
  return { spec: multiHeadAttentionSpec({ embedDim: s.dModel, numHeads: s.numHeads, bias: s.bias }), params };
}

/** The layer's PyTorch state_dict (new tensors; the caller disposes them). */
export function encoderLayerToTorch(
  layer: TransformerEncoderLayer | TransformerDecoderLayer,
  prefix = '',
): Record<string, tf.Tensor> {
  const p = layer.params;
  const out: Record<string, tf.Tensor> = multiHeadAttentionToTorch(
    attentionRecord(layer, p.selfAttn),
    `${prefix}self_attn.`,
  );
  if ('crossAttn' in p)
    Object.assign(
      out,
      multiHeadAttentionToTorch(attentionRecord(layer, p.crossAttn), `${prefix}multihead_attn.`),
    );
  linearTo(p.ff.linear1, `${prefix}linear1.`, out);
  linearTo(p.ff.linear2, `${prefix}linear2.`, out);
  normTo(p.norm1, `${prefix}norm1.`, out);
  normTo(p.norm2, `${prefix}norm2.`, out);
  if ('norm3' in p) normTo(p.norm3, `${prefix}norm3.`, out);
  return out;
}

/** Same function: a decoder layer's state_dict also has multihead_attn.* and norm3.*. */
export const decoderLayerToTorch = encoderLayerToTorch;

/** For messages: the keys and shapes of a state_dict. */
export function describeStateDict(sd: TorchStateDict): string {
  return Object.entries(sd)
    .map(([k, t]) => `${k} ${formatShape(t.shape)}`)
    .join('\n');
}
