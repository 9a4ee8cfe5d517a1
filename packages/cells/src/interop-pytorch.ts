import { ConfigError } from '@strand/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Bidirectional, bidirectional } from './bidirectional.js';
import type { Cell } from './cell.js';
import { type GruCell, gruFromWeights, gruSpec } from './gru.js';
import { variableFrom, type WeightLike, WeightReader } from './interop-common.js';
import type { Recurrent } from './layer.js';
import { type LstmCell, lstmFromWeights, lstmSpec } from './lstm.js';
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
  const numLayers = config.numLayers ?? 1;
  const bi = config.bidirectional ?? false;
  const hasBias = config.bias ?? true;
  const projSize = config.projSize ?? 0;
  if (projSize > 0 && config.mode !== 'LSTM')
    throw new ConfigError('projSize applies to LSTM only', 'projSize');
  const reader = new WeightReader(stateDict);
  const H = config.hiddenSize;
  const G = gatesOf[config.mode] * H;
  const out = projSize || H;
  const taken = Array.from({ length: numLayers }, (_, k) => {
    const inputSize = k === 0 ? config.inputSize : out * (bi ? 2 : 1);
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
  try {
    reader.finish(); // a WeightsError listing every missing, unexpected and misshapen name, before any variable
  } catch (e) {
    for (const dirs of taken)
      for (const d of dirs)
        tf.dispose([d.wih, d.whh, d.bih, d.bhh, d.whr].filter((t): t is tf.Tensor => t !== null));
    throw e;
  }
  const layers: Recurrent[] = taken.map((dirs) => {
    const cells = dirs.map((d) => pyCell(config, { ...d, wih: d.wih!, whh: d.whh! }, hasBias, projSize));
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

function pyLayers(layer: Recurrent): PyLayer[] {
  if (layer.kind === 'stacked') {
    const s = layer as Stacked;
    if (s.residual) throw new ConfigError('PyTorch RNN modules have no residual connections', 'residual');
    return s.layers.map((l) => {
      if (l.kind === 'stacked' || l.kind === 'skip')
        throw new ConfigError(`a ${l.kind} layer has no PyTorch equivalent`, 'layer');
      return l as PyLayer;
    });
  }
  if (layer.kind === 'skip') throw new ConfigError('skip connections have no PyTorch equivalent', 'layer');
  return [layer as PyLayer];
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

function pyMode(cell: Cell): PyTorchRnnConfig['mode'] {
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
