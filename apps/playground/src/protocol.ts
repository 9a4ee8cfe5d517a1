/**
 * The messages between the page and the engine worker (engine.worker.ts), which owns tfjs, the
 * backend and every model. The page sends a request with an id; the worker answers it once
 * (`done` with a result, or `failed` with a message) and may send `event`s for it before that.
 * `stop` is the one request answered by no reply: it aborts the running training.
 */
import type { BackendInfo, BackendPreference } from '@strand/backend';
import type { SamplingSettings, Settings } from './settings.js';

/** One heatmap's data: values[row][column]. */
export interface HeatmapData {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly string[];
  readonly values: readonly (readonly number[])[];
}

/** What the page knows about the model in the worker. */
export interface ModelSummary {
  readonly settings: Settings;
  readonly step: number;
  readonly vocabSize: number;
  readonly isTransformer: boolean;
  /** The newest checkpoint as one safetensors file (Save and Download write it); null before training. */
  readonly file: Uint8Array | null;
}

/** What the page knows about the translation model in the worker. */
export interface TranslatorSummary {
  /** 'trained in this page' or the checkpoint's file name. */
  readonly origin: string;
  readonly model: string;
  readonly step: number;
  readonly pairs: number;
  readonly sourceVocab: number;
  readonly targetVocab: number;
  readonly losses: readonly number[];
}

export interface Attention {
  readonly input: string;
  readonly translation: string;
  /** Source tokens (with <eos>), target tokens (with <eos>), weights[target][source]. */
  readonly heatmap: HeatmapData;
  readonly unknown: readonly string[];
}

export interface Requests {
  start: { req: { preference: BackendPreference }; res: { info: BackendInfo; warning?: string } };
  corpus: { req: { name: string; vocabulary: unknown; train: Int32Array; valid: Int32Array }; res: null };
  train: { req: { settings: Settings; steps: number; sampling: SamplingSettings }; res: ModelSummary };
  reset: { req: Record<string, never>; res: null };
  sample: { req: { sampling: SamplingSettings }; res: string };
  evaluate: { req: Record<string, never>; res: number };
  load: { req: { file: Uint8Array; source: string }; res: ModelSummary };
  view: {
    req: { view: 'hidden' | 'gates' | 'heads' | 'gradients'; sentence: string };
    res: HeatmapData[] | GradientSeries[];
  };
  'translation-train': {
    req: { pairsText: string; limit: number; steps: number; units: number; batch: number; seed: number };
    res: TranslatorSummary;
  };
  'translation-load': { req: { json: string; tensors: Uint8Array; source: string }; res: TranslatorSummary };
  'translation-attend': { req: { sentence: string }; res: Attention };
}

export type RequestType = keyof Requests;

export interface GradientSeries {
  readonly name: string;
  readonly norms: readonly number[];
}

/** Events the worker sends while a request runs. */
export type EngineEvent =
  | { readonly kind: 'step'; readonly step: number; readonly loss: number; readonly tokensPerSecond: number }
  | { readonly kind: 'eval'; readonly step: number; readonly valLoss: number; readonly sample: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'progress'; readonly message: string };

export type ToWorker =
  | { readonly id: number; readonly type: RequestType; readonly payload: unknown }
  | { readonly id: number; readonly type: 'stop' };

export type FromWorker =
  | { readonly id: number; readonly type: 'event'; readonly event: EngineEvent }
  | { readonly id: number; readonly type: 'done'; readonly result: unknown }
  | { readonly id: number; readonly type: 'failed'; readonly message: string };
