/**
 * One model being trained: its config, optimizer and the checkpoint to resume from. Training runs in
 * the engine worker through @strand/trainer's `train`, yielding to the worker's message queue after
 * every step so that a Stop can arrive; Stop aborts between steps and Train resumes exactly
 * (weights, optimizer moments, data position, carried state and RNG all come back from the checkpoint).
 */
import { registerAttentionModels, TransformerLm } from '@strand/attention';
import { Rng, type Vocabulary, Vocabulary as VocabularyClass } from '@strand/base';
import { disposeParameters, loadParameters } from '@strand/core';
import {
  type AutoregressiveModel,
  adam,
  type BatchEndEvent,
  type Checkpoint,
  chooseToken,
  createModel,
  lmEvaluator,
  loadLatest,
  memoryStore,
  type Optimizer,
  registerModel,
  resolveSampling,
  streamData,
  type TrainableModel,
  tokenCrossEntropy,
  train,
  windowData,
} from '@strand/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { checkpointFile } from './checkpoint-file.js';
import type { SamplingSettings, Settings } from './settings.js';
import { yieldToEvents } from './yield.js';

registerAttentionModels(registerModel);

/** The character ids a model trains and is scored on. */
export interface TrainingText {
  readonly train: Int32Array;
  /** The validation slice every model (neural and baseline) is scored on. */
  readonly valid: Int32Array;
}

/** The model config a settings form describes. */
export function modelConfig(s: Settings, vocabSize: number): Record<string, unknown> & { kind: string } {
  if (s.kind === 'transformer') {
    const heads = s.units % 4 === 0 ? 4 : 1;
    return {
      kind: 'transformer',
      vocabSize,
      contextLength: s.length,
      dModel: s.units,
      numHeads: heads,
      numLayers: s.layers,
      seed: s.seed,
    };
  }
  return { kind: 'language-model', vocabSize, cell: s.kind, units: s.units, layers: s.layers, seed: s.seed };
}

export interface TrainEvents {
  onStep(e: BatchEndEvent, tokensPerSecond: number): void;
  /** Awaited: training waits for it (the page samples a line of text here). */
  onEval(step: number, valLoss: number): void | Promise<void>;
}

export class Session {
  readonly model: TrainableModel;
  readonly vocab: Vocabulary;
  private optimizer: Optimizer;
  /** Where the next Train continues from (null: from the start). Owned here; disposed on replace. */
  private resumeFrom: Checkpoint | null;
  /** The newest checkpoint as a file (what Save and Download write). */
  file: Uint8Array | null = null;
  step = 0;

  private constructor(
    model: TrainableModel,
    vocab: Vocabulary,
    readonly settings: Settings,
    resume: Checkpoint | null,
  ) {
    this.model = model;
    this.vocab = vocab;
    this.optimizer = adam({ lr: settings.lr });
    this.resumeFrom = resume;
    this.step = resume?.meta.step ?? 0;
  }

  static create(settings: Settings, vocab: Vocabulary): Session {
    const model = createModel(modelConfig(settings, vocab.size) as never);
    return new Session(model, vocab, settings, null);
  }

  /** A session restored from a checkpoint (the tensors are taken over). */
  static restore(checkpoint: Checkpoint, file: Uint8Array): Session {
    const extra = checkpoint.meta.extra as { vocabulary: unknown; settings: Settings };
    const vocab = VocabularyClass.fromJSON(extra.vocabulary, { source: 'checkpoint' });
    const model = createModel(checkpoint.meta.model);
    const modelTensors = new Map(
      [...checkpoint.tensors].filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice(6), v]),
    );
    loadParameters(model.params, modelTensors);
    const s = new Session(model, vocab, extra.settings, checkpoint);
    s.file = file;
    return s;
  }

  get isTransformer(): boolean {
    return this.model instanceof TransformerLm;
  }

  /** Trains `steps` more steps (or until `signal` aborts) and keeps the checkpoint to resume from. */
  async train(corpus: TrainingText, steps: number, signal: AbortSignal, events: TrainEvents): Promise<void> {
    const s = this.settings;
    const data = this.isTransformer
      ? windowData(corpus.train, {
          batchSize: s.batch,
          length: s.length,
          batchesPerEpoch: 1000,
          seed: s.seed,
        })
      : streamData(corpus.train, { batchSize: s.batch, chunkLength: s.length });
    const store = memoryStore();
    let last = performance.now();
    try {
      await train({
        model: this.model,
        data,
        optimizer: this.optimizer,
        clip: 1,
        steps: this.step + steps,
        evalEvery: 50,
        evaluate: this.evaluator(corpus),
        seed: s.seed,
        signal,
        checkpoint: { store, extra: { vocabulary: this.vocab.toJSON(), settings: s } },
        ...(this.resumeFrom ? { resume: this.resumeFrom } : {}),
        callbacks: {
          onBatchEnd: async (e) => {
            const now = performance.now();
            this.step = e.step;
            events.onStep(e, (e.tokens * 1000) / Math.max(1e-3, now - last));
            await yieldToEvents();
            last = performance.now();
          },
          onEvalEnd: async (e) => {
            await events.onEval(e.step, e.metrics['valLoss']!);
            await yieldToEvents();
            last = performance.now();
          },
        },
      });
    } finally {
      this.disposeResume();
    }
    this.resumeFrom = await loadLatest(store);
    const saved = await store.read((await store.list()).at(-1)!);
    this.file = await checkpointFile(saved.json, saved.bytes);
  }

  /**
   * Validation loss (nats per character) on the corpus' validation slice: contiguous streams with
   * the state carried for recurrent models; for a transformer, windows of its context length, each
   * from a fresh context (its learned positions end there).
   */
  private evaluator(corpus: TrainingText): (model: TrainableModel) => Record<string, number> {
    if (!this.isTransformer) return lmEvaluator(corpus.valid, { batchSize: 16, chunkLength: 64 });
    const L = this.settings.length;
    const rows = Math.max(1, Math.min(16, Math.floor((corpus.valid.length - 1) / L)));
    const inputs = new Int32Array(rows * L);
    const targets = new Int32Array(rows * L);
    for (let r = 0; r < rows; r++) {
      inputs.set(corpus.valid.subarray(r * L, r * L + L), r * L);
      targets.set(corpus.valid.subarray(r * L + 1, r * L + L + 1), r * L);
    }
    return (model) => {
      const loss = tf.tidy(() => {
        const { logits } = model.forward(tf.tensor2d(inputs, [rows, L], 'int32'), model.initialState(rows), {
          training: false,
        });
        return tokenCrossEntropy(logits, tf.tensor2d(targets, [rows, L], 'int32'), undefined);
      });
      const valLoss = loss.dataSync()[0]!;
      loss.dispose();
      return { valLoss, valPerplexity: Math.exp(valLoss) };
    };
  }

  /** The validation loss of the model as it is now. */
  evaluate(corpus: TrainingText): number {
    return this.evaluator(corpus)(this.model)['valLoss']!;
  }

  /**
   * Seeded sample after the prompt; the same seed gives the same text on the same backend. Reads each
   * step's logits asynchronously (a synchronous GPU read stalls WebGPU pages) and yields a frame every
   * 16 tokens; the token choice is @strand/trainer's (temperature, top-k, top-p in float64 on the host).
   */
  async sample(o: SamplingSettings, onText?: (text: string) => void): Promise<string> {
    const known = [...o.prompt].filter((c) => this.vocab.has(c));
    const prompt = known.length > 0 ? known.join('') : '\n';
    const window = this.isTransformer
      ? (this.model as AutoregressiveModel).contextLength
      : Number.POSITIVE_INFINITY;
    const context = [...this.vocab.encode(prompt)].slice(-Math.min(window, 4096));
    const sampling = resolveSampling(o);
    const rng = new Rng(o.seed);
    const model = this.model as AutoregressiveModel;
    let state = model.initialState(1);
    let feed = context.slice();
    let position = 0;
    const out: number[] = [];
    try {
      for (let i = 0; i < o.length; i++) {
        if (position + feed.length > window) {
          // The transformer's learned positions end at its context length: start again on the last half.
          model.disposeState(state);
          state = model.initialState(1);
          position = 0;
          feed = [...context, ...out].slice(-Math.floor(window / 2));
        }
        let next: unknown = null;
        const last = tf.tidy(() => {
          const r = model.forward(tf.tensor2d(feed, [1, feed.length], 'int32'), state, { training: false });
          next = model.keepState(r.state); // kept: outlives the tidy
          return tf.reshape(tf.slice(r.logits, [0, feed.length - 1, 0], [1, 1, -1]), [-1]);
        });
        model.disposeState(state);
        state = next;
        position += feed.length;
        const logits = (await last.data()) as Float32Array;
        last.dispose();
        const t = chooseToken(logits, [...context, ...out], sampling, rng);
        out.push(t);
        feed = [t];
        if (i % 16 === 15) {
          onText?.(prompt + this.vocab.decode(out).join(''));
          await yieldToEvents();
        }
      }
    } finally {
      model.disposeState(state);
    }
    return prompt + this.vocab.decode(out).join('');
  }

  private disposeResume(): void {
    if (this.resumeFrom) tf.dispose([...this.resumeFrom.tensors.values()]);
    this.resumeFrom = null;
  }

  dispose(): void {
    this.disposeResume();
    this.optimizer.dispose();
    disposeParameters(this.model.params);
  }
}
