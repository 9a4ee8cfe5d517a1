/**
 * The machinery the optimizers share: per-parameter buffers (tf.Variables keyed
 * `<buffer>.<path>`, created lazily on a parameter's first update as PyTorch creates its `state[p]`),
 * per-parameter step counts, `state()` / `restore()`, and the checks on params and grads.
 * Each optimizer file only supplies its update rule as a pure function of tensors.
 */
import { ConfigError, InputError, ShapeError } from '@strand/base';
import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer, OptimizerState } from './types.js';

/** What an update rule sees for one parameter; called inside `tf.tidy`. */
export interface RuleInput {
  readonly param: tf.Tensor;
  readonly grad: tf.Tensor;
  /** This parameter's step count after the increment (1 on its first update), as PyTorch's `state['step']`. */
  readonly step: number;
  /** The parameter's buffers so far; a missing one has not been created yet (first step). */
  readonly buffers: Readonly<Record<string, tf.Tensor | undefined>>;
  readonly lr: number;
  /** Whether weight decay applies to this parameter (see `DecayOption`). */
  readonly decay: boolean;
}

/**
 * Which parameters weight decay applies to, as PyTorch parameter groups with weight_decay 0 for
 * the rest; e.g. nanoGPT's rule "matrices decay, biases and norms do not":
 * `(path, shape) => shape.length >= 2`. Default: every parameter.
 */
export type DecayFilter = (path: string, shape: readonly number[]) => boolean;

/** New parameter value and the buffers to create or overwrite. */
export interface RuleOutput {
  readonly param: tf.Tensor;
  readonly buffers: Readonly<Record<string, tf.Tensor>>;
}

export interface OptimizerSpec<C extends Record<string, number | boolean | string>> {
  readonly kind: string;
  /** Hyperparameters without the learning rate; restored from `state()` as PyTorch's `load_state_dict`. */
  readonly config: C;
  readonly lr: number;
  /** The buffer names this optimizer may hold (for restore's checks). */
  readonly bufferNames: readonly string[];
  /** Checks a restored config and returns it typed (the factory's own validation). */
  readonly validate: (config: Record<string, unknown>) => C;
  readonly rule: (config: C, input: RuleInput) => RuleOutput;
  readonly decayFilter?: DecayFilter | undefined;
}

/** Float32 scalar for an update's coefficient (PyTorch also applies its double scalars in float32). */
export function s(value: number): tf.Scalar {
  return tf.scalar(value, 'float32');
}

export function createOptimizer<C extends Record<string, number | boolean | string>>(
  spec: OptimizerSpec<C>,
): Optimizer {
  let config: C = spec.config;
  let lr = spec.lr;
  let step = 0;
  const steps = new Map<string, number>();
  const buffers = new Map<string, tf.Variable>(); // `${buffer}.${path}` -> variable
  let disposed = false;
  if (spec.decayFilter !== undefined && typeof spec.decayFilter !== 'function') {
    throw new ConfigError(
      'weightDecayFilter must be a function (path, shape) => boolean',
      'weightDecayFilter',
    );
  }

  const alive = (): void => {
    if (disposed)
      throw new InputError({
        what: `${spec.kind} optimizer`,
        expected: 'not disposed',
        received: 'disposed',
      });
  };

  const optimizer: Optimizer = {
    kind: spec.kind,
    get learningRate() {
      return lr;
    },
    set learningRate(value: number) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new ConfigError(
          `learningRate must be a finite number >= 0, received ${String(value)}`,
          'learningRate',
        );
      }
      lr = value;
    },
    apply(params, grads) {
      alive();
      for (const path of grads.keys()) {
        if (!params.has(path)) {
          throw new InputError({
            what: `gradient '${path}'`,
            expected: 'a path present in params',
            received: 'a path with no parameter',
            hint: 'key params and grads by the same namedParameters paths',
          });
        }
      }
      // Check everything before touching anything, so a bad call leaves the state as it was.
      for (const [path, param] of params) {
        const grad = grads.get(path);
        if (grad === undefined) continue;
        if (!shapesEqual(grad.shape, param.shape))
          throw new ShapeError(`gradient '${path}'`, param.shape, grad.shape);
        if (param.dtype !== 'float32' || grad.dtype !== 'float32') {
          throw new InputError({
            what: `parameter '${path}' and its gradient`,
            expected: 'float32',
            received: `${param.dtype} and ${grad.dtype}`,
          });
        }
        for (const name of spec.bufferNames) {
          const b = buffers.get(`${name}.${path}`);
          if (b !== undefined && !shapesEqual(b.shape, param.shape))
            throw new ShapeError(`optimizer buffer '${name}.${path}'`, param.shape, b.shape);
        }
      }
      step += 1;
      for (const [path, param] of params) {
        const grad = grads.get(path);
        if (grad === undefined) continue; // as a PyTorch parameter whose .grad is None
        const n = (steps.get(path) ?? 0) + 1;
        steps.set(path, n);
        tf.tidy(() => {
          const current: Record<string, tf.Tensor | undefined> = {};
          for (const name of spec.bufferNames) current[name] = buffers.get(`${name}.${path}`);
          const decay = spec.decayFilter === undefined || spec.decayFilter(path, param.shape);
          const out = spec.rule(config, { param, grad, step: n, buffers: current, lr, decay });
          for (const [name, value] of Object.entries(out.buffers)) {
            const key = `${name}.${path}`;
            const existing = buffers.get(key);
            if (existing === undefined) buffers.set(key, tf.variable(value, false));
            else existing.assign(value);
          }
          param.assign(out.param);
        });
      }
    },
    state(): OptimizerState {
      alive();
      return {
        kind: spec.kind,
        step,
        config: { ...config, lr },
        tensors: new Map(buffers),
        steps: Object.fromEntries(steps),
      };
    },
    restore(state) {
      alive();
      if (state === null || typeof state !== 'object' || !(state.tensors instanceof Map)) {
        throw new InputError({
          what: `${spec.kind} optimizer state`,
          expected: 'an object with kind, step, config and a Map of tensors',
          received:
            state === null || typeof state !== 'object' ? String(state) : 'an object without a tensors Map',
        });
      }
      if (state.config === null || typeof state.config !== 'object') {
        throw new InputError({
          what: 'optimizer state config',
          expected: 'an object',
          received: String(state.config),
        });
      }
      if (state.steps !== undefined && (state.steps === null || typeof state.steps !== 'object')) {
        throw new InputError({
          what: 'optimizer state steps',
          expected: 'an object',
          received: String(state.steps),
        });
      }
      if (state.kind !== spec.kind) {
        throw new InputError({
          what: 'optimizer state kind',
          expected: `'${spec.kind}'`,
          received: `'${state.kind}'`,
        });
      }
      if (!Number.isSafeInteger(state.step) || state.step < 0) {
        throw new InputError({
          what: 'optimizer state step',
          expected: 'a non-negative integer',
          received: String(state.step),
        });
      }
      const { lr: savedLr, ...rest } = state.config;
      const nextConfig = spec.validate(rest);
      if (typeof savedLr !== 'number' || !Number.isFinite(savedLr) || savedLr < 0) {
        throw new InputError({
          what: 'optimizer state lr',
          expected: 'a finite number >= 0',
          received: String(savedLr),
        });
      }
      for (const [path, n] of Object.entries(state.steps ?? {})) {
        if (!Number.isSafeInteger(n) || n < 0) {
          throw new InputError({
            what: `optimizer state step of '${path}'`,
            expected: 'a non-negative integer',
            received: String(n),
          });
        }
      }
      const copies = new Map<string, tf.Variable>();
      try {
        for (const [key, tensor] of state.tensors) {
          const dot = key.indexOf('.');
          const name = dot < 0 ? key : key.slice(0, dot);
          if (dot < 0 || !spec.bufferNames.includes(name)) {
            throw new InputError({
              what: `optimizer state tensor '${key}'`,
              expected: `a key '<buffer>.<path>' with buffer one of ${spec.bufferNames.join(', ')}`,
              received: `'${key}'`,
            });
          }
          if (!(tensor instanceof tf.Tensor) || tensor.isDisposed) {
            throw new InputError({
              what: `optimizer state tensor '${key}'`,
              expected: 'a live tf.Tensor',
              received: tensor instanceof tf.Tensor ? 'a disposed tensor' : typeof tensor,
            });
          }
          if (tensor.dtype !== 'float32') {
            throw new InputError({
              what: `optimizer state tensor '${key}'`,
              expected: 'float32',
              received: tensor.dtype,
            });
          }
          // tf.variable shares the data with a reference count; later assigns replace it, so this is a copy.
          copies.set(key, tf.variable(tensor, false));
        }
      } catch (error) {
        for (const v of copies.values()) v.dispose();
        throw error;
      }
      for (const v of buffers.values()) v.dispose();
      buffers.clear();
      for (const [k, v] of copies) buffers.set(k, v);
      config = nextConfig;
      lr = savedLr;
      step = state.step;
      steps.clear();
      // Paths seen so far: those with buffers, plus the explicit per-path counts.
      for (const key of buffers.keys()) steps.set(key.slice(key.indexOf('.') + 1), step);
      for (const [path, n] of Object.entries(state.steps ?? {})) steps.set(path, n);
    },
    dispose() {
      for (const v of buffers.values()) v.dispose();
      buffers.clear();
      disposed = true;
    },
  };
  return optimizer;
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
