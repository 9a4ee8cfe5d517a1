import { ConfigError, nonNegativeInteger, oneOf, positiveInteger } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import { type Bidirectional, bidirectional } from './bidirectional.js';
import type { Cell } from './cell.js';
import { type GruCell, gruFromWeights, gruSpec } from './gru.js';
import { variableFrom, type WeightLike, WeightReader } from './interop-common.js';
import { type LstmCell, lstmFromWeights, lstmSpec } from './lstm.js';
import type { Recurrent } from './recurrent.js';
import { isCell, type Part } from './run-cell.js';
import { type SimpleRnnCell, simpleRnnFromWeights, simpleRnnSpec } from './simple-rnn.js';
import { type Stacked, stacked } from './stacked.js';

/** The constructor arguments of torch.nn.LSTM / GRU / RNN that shape a state_dict. */
export interface PyTorchRnnConfig {
  /** 'LSTM', 'GRU', 'RNN_TANH' (nn.RNN) or 'RNN_RELU' (nn.RNN(nonlinearity='relu')). */
  readonly mode: 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Default 1. */
  readonly numLayers?: number;
  /** Default false. */
  readonly bidirectional?: boolean;
  /** Default true. */
  readonly bias?: boolean;
  /** LSTM only; default 0. */
  readonly projSize?: number;
}

const gatesOf = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 } as const;

/** The `mode` values fromPyTorch accepts (torch.nn.LSTM, GRU, RNN with tanh or relu). */
export const PYTORCH_MODES = ['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'] as const;

/** The config with defaults filled in, every field checked (ConfigError naming the field). */
export function checkPyTorchConfig(config: PyTorchRnnConfig): Required<PyTorchRnnConfig> {
  if (typeof config !== 'object' || config === null)
    throw new ConfigError('a PyTorch RNN config object is required', 'config');
  const mode = oneOf(config.mode, PYTORCH_MODES, 'mode');
  const hiddenSize = positiveInteger(config.hiddenSize, 'hiddenSize');
  const projSize = nonNegativeInteger(config.projSize ?? 0, 'projSize');
  if (projSize > 0 && mode !== 'LSTM') throw new ConfigError('projSize applies to LSTM only', 'projSize');
  if (projSize >= hiddenSize && projSize > 0)
    throw new ConfigError(
      `projSize (${projSize}) must be smaller than hiddenSize (${hiddenSize})`,
      'projSize',
    );
  const flag = (v: boolean | undefined, field: string, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean')
      throw new ConfigError(`${field} must be a boolean, received ${String(v)}`, field);
    return v;
  };
  return {
    mode,
    inputSize: positiveInteger(config.inputSize, 'inputSize'),
    hiddenSize,
    numLayers: positiveInteger(config.numLayers ?? 1, 'numLayers'),
    bidirectional: flag(config.bidirectional, 'bidirectional', false),
    bias: flag(config.bias, 'bias', true),
    projSize,
  };
}

/**
 * Builds Strand layers from a PyTorch RNN's state_dict (`weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`,
 * `bias_hh_l{k}`, `weight_hr_l{k}` with projections, and `_reverse` for the backward direction).
 * PyTorch stores [out, in] matrices with gates i, f, g, o (LSTM) or r, z, n (GRU), the order Strand uses;
 * Strand's kernels are [in, out], so each matrix is transposed. LSTM and RNN biases are summed; GRU keeps
 * both (the n block of bias_hh sits inside the reset product). The result: one cell, a bidirectional
 * layer (concat), or a stack of either for numLayers > 1, computing what the PyTorch module computes
 * (with batch_first inputs).
 *
 * @example
 * // python: json.dump({k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in m.state_dict().items()}, f)
 * const layer = fromPyTorch(JSON.parse(text), { mode: 'LSTM', inputSize: 8, hiddenSize: 16, numLayers: 2 });
 * const { outputs } = rnn(layer, x); // = torch's output for batch_first=True
 */
export function fromPyTorch(
  stateDict: Readonly<Record<string, WeightLike>>,
  config: PyTorchRnnConfig,
): Recurrent {
  const cfg = checkPyTorchConfig(config);
  const { numLayers, bidirectional: bi, bias: hasBias, projSize } = cfg;
  const reader = new WeightReader(stateDict, 'PyTorch state_dict');
  const H = cfg.hiddenSize;
  const G = gatesOf[cfg.mode] * H;
  const out = projSize || H;
  const taken = Array.from({ length: numLayers }, (_, k) => {
    const inputSize = k === 0 ? cfg.inputSize : out * (bi ? 2 : 1);
    return (bi ? ['', '_reverse'] : ['']).map((sfx) => {
      const name = (w: string) => `${w}_l${k}${sfx}`;
      return {
        wih: reader.take(name('weight_ih'), [G, inputSize]),
        whh: reader.take(name('weight_hh'), [G, out]),
        bih: hasBias ? reader.take(name('bias_ih'), [G]) : null,
        bhh: hasBias ? reader.take(name('bias_hh'), [G]) : null,
        whr: projSize > 0 ? reader.take(name('weight_hr'), [projSize, H]) : null,
        inputSize,
      };
    });
  });
  // A WeightsError listing every missing, unexpected and misshapen name, before any variable; the
  // reader disposes what it took when it throws.
  reader.finish();
  const layers: Recurrent[] = taken.map((dirs) => {
    const cells = dirs.map((d) => pyCell(cfg, { ...d, wih: d.wih!, whh: d.whh! }, hasBias, projSize));
    return bi ? bidirectional(cells[0]!, cells[1]!) : cells[0]!;
  });
  return numLayers === 1 ? layers[0]! : stacked(layers);
}

function pyCell(
  config: PyTorchRnnConfig,
  d: {
    wih: tf.Tensor;
    whh: tf.Tensor;
    bih: tf.Tensor | null;
    bhh: tf.Tensor | null;
    whr: tf.Tensor | null;
    inputSize: number;
  },
  hasBias: boolean,
  projSize: number,
): Cell {
  const inputKernel = variableFrom(tf.transpose(d.wih));
  const recurrentKernel = variableFrom(tf.transpose(d.whh));
  tf.dispose([d.wih, d.whh]);
  const units = config.hiddenSize;
  const base = { inputSize: d.inputSize, units, bias: hasBias };
  if (config.mode === 'GRU') {
    return gruFromWeights(gruSpec({ ...base, resetAfter: true }), {
      inputKernel,
      recurrentKernel,
      bias: d.bih ? variableFrom(d.bih) : null,
      recurrentBias: d.bhh ? variableFrom(d.bhh) : null,
    });
  }
  const bias = d.bih && d.bhh ? variableFrom(tf.add(d.bih, d.bhh)) : null;
  tf.dispose([d.bih, d.bhh].filter((t): t is tf.Tensor => t !== null));
  if (config.mode === 'LSTM') {
    const projection = d.whr ? variableFrom(tf.transpose(d.whr)) : null;
    d.whr?.dispose();
    return lstmFromWeights(lstmSpec({ ...base, ...(projSize > 0 ? { projSize } : {}) }), {
      inputKernel,
      recurrentKernel,
      bias,
      peephole: null,
      projection,
      layerNorm: null,
    });
  }
  return simpleRnnFromWeights(
    simpleRnnSpec({ ...base, activation: config.mode === 'RNN_RELU' ? 'relu' : 'tanh' }),
    {
      inputKernel,
      recurrentKernel,
      bias,
    },
  );
}

type Direction = Cell;
type PyLayer = Direction | Bidirectional<Direction, Direction>;

/** The layer as PyTorch sees it: a list of layers, each one cell or a bidirectional pair (ConfigError otherwise). */
export function pyLayers(layer: Recurrent): PyLayer[] {
  const check = (l: Part): PyLayer => {
    if (l.kind === 'bidirectional') {
      const bi = l as Bidirectional;
      if (!isCell(bi.forward) || !isCell(bi.backward))
        throw new ConfigError('PyTorch bidirectional layers hold one cell per direction', 'layer');
      return bi as Bidirectional<Direction, Direction>;
    }
    if (!isCell(l)) throw new ConfigError(`a ${l.kind} layer has no PyTorch equivalent`, 'layer');
    return l;
  };
  if (layer.kind === 'stacked') {
    const s = layer as Stacked;
    if (s.residual) throw new ConfigError('PyTorch RNN modules have no residual connections', 'residual');
    return s.layers.map(check);
  }
  return [check(layer)];
}

/**
 * A PyTorch state_dict for a cell, a bidirectional layer (merge 'concat') or a stack of them, with the
 * config to build the module: `torch.nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first=True,
 * bidirectional, proj_size)`. LSTM and RNN biases go to bias_ih with a zero bias_hh. The caller owns the tensors.
 */
export function toPyTorch(layer: Recurrent): {
  config: PyTorchRnnConfig;
  stateDict: Record<string, tf.Tensor>;
} {
  const layers = pyLayers(layer);
  const stateDict: Record<string, tf.Tensor> = {};
  let mode: PyTorchRnnConfig['mode'] | null = null;
  let first: Cell | null = null;
  const bi = layers[0]!.kind === 'bidirectional';
  layers.forEach((l, k) => {
    if ((l.kind === 'bidirectional') !== bi)
      throw new ConfigError('PyTorch needs every layer bidirectional or none', 'layer');
    if (l.kind === 'bidirectional' && l.merge !== 'concat') {
      throw new ConfigError(`PyTorch concatenates directions; merge '${l.merge}' has no equivalent`, 'merge');
    }
    const dirs: [Cell, string][] =
      l.kind === 'bidirectional'
        ? [
            [l.forward, ''],
            [l.backward, '_reverse'],
          ]
        : [[l as Cell, '']];
    for (const [cell, sfx] of dirs) {
      const m = pyMode(cell);
      if (mode !== null && m !== mode)
        throw new ConfigError('PyTorch needs one cell type in all layers', 'layer');
      mode = m;
      first ??= cell;
      Object.assign(stateDict, pyWeights(cell, `_l${k}${sfx}`));
    }
  });
  const c = first!;
  return {
    config: {
      mode: mode!,
      inputSize: c.inputSize,
      hiddenSize: c.config.units,
      numLayers: layers.length,
      bidirectional: bi,
      bias: c.config.bias,
      projSize: c.kind === 'lstm' ? c.config.projSize : 0,
    },
    stateDict,
  };
}

export function pyMode(cell: Cell): PyTorchRnnConfig['mode'] {
  switch (cell.kind) {
    case 'lstm':
      if (cell.config.peephole || cell.config.layerNorm) {
        throw new ConfigError('PyTorch LSTMs have no peepholes or layer normalisation', 'layer');
      }
      return 'LSTM';
    case 'gru':
      if (!cell.config.resetAfter || cell.config.minimal) {
        throw new ConfigError(
          "PyTorch's GRU applies the reset gate after the matmul; only resetAfter: true GRUs export",
          'resetAfter',
        );
      }
      return 'GRU';
    case 'simpleRNN':
      if (cell.config.leak !== 1) throw new ConfigError('PyTorch RNNs have no leaky units', 'leak');
      return cell.config.activation === 'relu' ? 'RNN_RELU' : 'RNN_TANH';
  }
}

function pyWeights(cell: LstmCell | GruCell | SimpleRnnCell, sfx: string): Record<string, tf.Tensor> {
  const p = cell.params;
  const out: Record<string, tf.Tensor> = {
    [`weight_ih${sfx}`]: tf.transpose(p.inputKernel),
    [`weight_hh${sfx}`]: tf.transpose(p.recurrentKernel),
  };
  if (p.bias !== null) {
    out[`bias_ih${sfx}`] = tf.clone(p.bias);
    out[`bias_hh${sfx}`] =
      cell.kind === 'gru' && cell.params.recurrentBias !== null
        ? tf.clone(cell.params.recurrentBias)
        : tf.zerosLike(p.bias);
  }
  if (cell.kind === 'lstm' && cell.params.projection !== null)
    out[`weight_hr${sfx}`] = tf.transpose(cell.params.projection);
  return out;
}
