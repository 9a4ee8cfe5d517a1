/**
 * The engine: a dedicated worker that owns tfjs, the backend (WebGPU and WASM both run in a worker
 * in Chromium) and every model, so that training, sampling and the look-inside views never block
 * the page. It answers the page's requests (protocol.ts) one result each, with events (loss,
 * validation, sampled text, tokens/s) in between; a `stop` aborts the training that is running.
 */
/// <reference lib="webworker" />

import type { TransformerLm } from '@strand/attention';
import { Vocabulary } from '@strand/base';
import type { LanguageModel } from '@strand/trainer';
import { startBackend } from './backend.js';
import { readCheckpointFile } from './checkpoint-file.js';
import { GATES, hiddenStates, lstmGates, transformerAttention, vanishingGradients } from './inside.js';
import type {
  EngineEvent,
  FromWorker,
  HeatmapData,
  ModelSummary,
  Requests,
  RequestType,
  ToWorker,
} from './protocol.js';
import { Session, type TrainingText } from './session.js';
import {
  attend,
  disposeTranslator,
  loadTranslator,
  type Translator,
  trainTranslator,
} from './translation.js';

declare const self: DedicatedWorkerGlobalScope;

let text: (TrainingText & { vocab: Vocabulary }) | null = null;
let session: Session | null = null;
let translator: Translator | null = null;
/** Aborts the running training (language model or translation). */
let abort: AbortController | null = null;

function summary(s: Session): ModelSummary {
  return {
    settings: s.settings,
    step: s.step,
    vocabSize: s.vocab.size,
    isTransformer: s.isTransformer,
    file: s.file,
  };
}

function replaceSession(next: Session | null): void {
  session?.dispose();
  session = next;
}

function needSession(): Session {
  if (!session) throw new Error('no model yet: train one or load a saved one');
  return session;
}

/** The sentence as ids of characters the model knows (at most 64). */
function sentenceIds(s: Session, sentence: string): { ids: number[]; chars: string[] } {
  const chars = [...sentence].filter((c) => s.vocab.has(c)).slice(0, 64);
  if (chars.length === 0) throw new Error('the sentence holds no character the model knows');
  return { ids: [...s.vocab.encode(chars.join(''))], chars };
}

type Handler<K extends RequestType> = (
  req: Requests[K]['req'],
  emit: (e: EngineEvent) => void,
) => Promise<Requests[K]['res']>;

const handlers: { [K in RequestType]: Handler<K> } = {
  start: async ({ preference }) => startBackend(preference),

  corpus: async ({ vocabulary, train, valid, name }) => {
    text = { vocab: Vocabulary.fromJSON(vocabulary, { source: name }), train, valid };
    if (session && session.vocab.size !== text.vocab.size) replaceSession(null);
    return null;
  },

  train: async ({ settings, steps, sampling }, emit) => {
    if (!text) throw new Error('no text to train on');
    const corpus = text;
    if (!session || JSON.stringify(settings) !== JSON.stringify(session.settings))
      replaceSession(Session.create(settings, corpus.vocab));
    const current = session!;
    abort = new AbortController();
    try {
      await current.train(corpus, steps, abort.signal, {
        onStep: (e, tokensPerSecond) => emit({ kind: 'step', step: e.step, loss: e.loss, tokensPerSecond }),
        onEval: async (step, valLoss) => {
          // Text sampled as it trains: a short line at every evaluation.
          const sample = await current.sample({ ...sampling, length: Math.min(80, sampling.length) });
          emit({ kind: 'eval', step, valLoss, sample });
        },
      });
    } finally {
      abort = null;
    }
    return summary(current);
  },

  reset: async () => {
    replaceSession(null);
    return null;
  },

  sample: async ({ sampling }, emit) =>
    needSession().sample(sampling, (t) => emit({ kind: 'text', text: t })),

  evaluate: async () => {
    if (!text) throw new Error('no validation text');
    return needSession().evaluate(text);
  },

  load: async ({ file, source }) => {
    const next = Session.restore(readCheckpointFile(file, source), file);
    replaceSession(next);
    return summary(next);
  },

  view: async ({ view, sentence }, emit) => {
    if (view === 'gradients') {
      emit({ kind: 'progress', message: 'computing ‖∂L/∂h_t‖ for four networks at initialisation…' });
      return vanishingGradients();
    }
    const s = needSession();
    const { ids, chars } = sentenceIds(s, sentence);
    if (view === 'hidden') {
      const values = await hiddenStates(s.model as LanguageModel, ids);
      return [
        {
          title: `first-layer hidden state h_t (${values.length} units) over the sentence`,
          columns: chars,
          rows: values.map((_, i) => `h${i}`),
          values,
        },
      ];
    }
    if (view === 'gates') {
      const gates = await lstmGates(s.model as LanguageModel, ids);
      return [
        {
          title: 'LSTM gate activations (first 8 units of each gate)',
          columns: chars,
          rows: gates.flatMap((g, k) => g.map((_, u) => `${GATES[k]} ${u}`)),
          values: gates.flat(),
        },
      ];
    }
    const layers = await transformerAttention(s.model as TransformerLm, ids);
    const maps: HeatmapData[] = [];
    layers.forEach((heads, l) => {
      heads.forEach((w, h) => {
        maps.push({
          title: `layer ${l + 1}, head ${h + 1}`,
          columns: chars.slice(0, w.length),
          rows: chars.slice(0, w.length),
          values: w,
        });
      });
    });
    return maps;
  },

  'translation-train': async (req, emit) => {
    abort = new AbortController();
    try {
      const next = await trainTranslator({
        ...req,
        signal: abort.signal,
        onStep: (step, loss, tokensPerSecond) => emit({ kind: 'step', step, loss, tokensPerSecond }),
      });
      disposeTranslator(translator);
      translator = next;
      return next.summary;
    } finally {
      abort = null;
    }
  },

  'translation-load': async ({ json, tensors, source }) => {
    const next = loadTranslator(json, tensors, source);
    disposeTranslator(translator);
    translator = next;
    return next.summary;
  },

  'translation-attend': async ({ sentence }) => {
    if (!translator) throw new Error('no translation model: train one or load a strand translate checkpoint');
    return attend(translator, sentence);
  },
};

function post(message: FromWorker): void {
  self.postMessage(message);
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'stop') {
    abort?.abort();
    return;
  }
  const handler = handlers[m.type] as Handler<RequestType>;
  handler(m.payload as never, (event) => post({ id: m.id, type: 'event', event })).then(
    (result) => post({ id: m.id, type: 'done', result }),
    (error: unknown) =>
      post({ id: m.id, type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
};
