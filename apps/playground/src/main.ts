/**
 * The page: wires the controls to the engine worker (which owns tfjs and the models), the charts and
 * the views. Nothing here computes with tensors, so training never blocks the page.
 */
import { describeBackend, requestedBackend } from './backend-choice.js';
import type { BaselineRow } from './baselines.worker.js';
import { chartBox, chartPoints, heatmap, LossChart, lineChart } from './charts.js';
import { type Corpus, corpusFromFile, fetchPairsText, fetchShakespeare, makeCorpus } from './corpus.js';
import { Engine } from './engine.js';
import type {
  EngineEvent,
  GradientSeries,
  HeatmapData,
  ModelSummary,
  TranslatorSummary,
} from './protocol.js';
import type { ModelKind, SamplingSettings, Settings } from './settings.js';
import { browserStore, download } from './storage.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);

/** What the browser tests read. */
const report = {
  backend: '',
  device: '',
  software: false,
  ready: false,
  step: 0,
  losses: [] as number[],
  /** Training tokens per second of each step (the bench reads it). */
  tokensPerSecond: [] as number[],
  valLosses: [] as number[],
  sample: '',
  busy: false,
  training: false,
  /** Frames the page drew while training ran (requestAnimationFrame ticks): the page stays live. */
  framesWhileTraining: 0,
  translation: null as (TranslatorSummary & { translation?: string }) | null,
  translationLosses: [] as number[],
  charts: chartPoints,
  baselines: [] as BaselineRow[],
  errors: [] as string[],
};
(window as unknown as { __playground: typeof report }).__playground = report;

const engine = new Engine();
let corpus: Corpus | null = null;
let model: ModelSummary | null = null;
const lossChart = new LossChart($<HTMLCanvasElement>('loss-chart'));

function status(message: string): void {
  $('status').textContent = message;
}

function fail(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  report.errors.push(message);
  status(message);
}

/** Runs `work` with the page marked busy; errors are shown on the page. */
async function busy(work: () => Promise<void>): Promise<void> {
  report.busy = true;
  refresh();
  try {
    await work();
  } catch (e) {
    fail(e);
  } finally {
    report.busy = false;
    refresh();
  }
}

/** Runs a training request: Stop enabled, frames counted to show the page kept drawing. */
async function training<T>(work: () => Promise<T>): Promise<T> {
  report.training = true;
  refresh();
  const tick = () => {
    if (!report.training) return;
    report.framesWhileTraining++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    return await work();
  } finally {
    report.training = false;
    refresh();
  }
}

function settings(): Settings {
  return {
    kind: $<HTMLSelectElement>('kind').value as ModelKind,
    units: num('units'),
    layers: num('layers'),
    batch: num('batch'),
    length: num('length'),
    lr: num('lr'),
    seed: num('seed'),
  };
}

function showSettings(s: Settings): void {
  $<HTMLSelectElement>('kind').value = s.kind;
  for (const k of ['units', 'layers', 'batch', 'length', 'lr', 'seed'] as const)
    $<HTMLInputElement>(k).value = String(s[k]);
}

function samplingSettings(): SamplingSettings {
  return {
    prompt: $<HTMLInputElement>('prompt').value,
    temperature: num('temperature'),
    topK: num('top-k'),
    topP: num('top-p'),
    length: num('sample-length'),
    seed: num('sample-seed'),
  };
}

/** Enables what makes sense now. */
function refresh(): void {
  const { training: running, busy: working } = report;
  const have = model !== null;
  const idle = !running && !working;
  $<HTMLButtonElement>('train').disabled = !idle || corpus === null;
  $<HTMLButtonElement>('train').textContent = have && model!.step > 0 ? 'Resume' : 'Train';
  $<HTMLButtonElement>('stop').disabled = !running;
  $<HTMLButtonElement>('translation-stop').disabled = !running;
  $<HTMLButtonElement>('reset').disabled = !idle || !have;
  $<HTMLButtonElement>('sample').disabled = !idle || !have;
  $<HTMLButtonElement>('save').disabled = !idle || model?.file == null;
  $<HTMLButtonElement>('download').disabled = !idle || model?.file == null;
  $<HTMLButtonElement>('baselines').disabled = corpus === null;
  $<HTMLButtonElement>('translation-train').disabled = !idle;
  $<HTMLButtonElement>('translation-attend').disabled = !idle || report.translation === null;
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-view]')) {
    const view = b.dataset['view'];
    const fits =
      view === 'heads'
        ? model?.isTransformer
        : view === 'gates'
          ? model?.settings.kind === 'lstm'
          : view === 'hidden'
            ? have && !model!.isTransformer
            : true;
    b.disabled = !idle || !fits;
  }
  $('step').textContent = String(model?.step ?? report.step);
}

async function useCorpus(c: Corpus): Promise<void> {
  await engine.request('corpus', {
    name: c.name,
    vocabulary: c.vocab.toJSON(),
    train: c.train,
    valid: c.valid,
  });
  corpus = c;
  $('data-status').textContent =
    `${c.name}: ${c.text.length.toLocaleString('en')} characters, ${c.vocab.size} symbols (${c.train.length.toLocaleString('en')} for training, ${c.valid.length} for validation)`;
  if (model && model.vocabSize !== c.vocab.size) forgetModel(); // the worker dropped it too
  refresh();
}

function forgetModel(): void {
  model = null;
  report.step = 0;
  report.losses = [];
  report.tokensPerSecond = [];
  report.valLosses = [];
  lossChart.clear();
  refresh();
}

function onTrainingEvent(e: EngineEvent): void {
  if (e.kind === 'step') {
    report.step = e.step;
    report.losses.push(e.loss);
    report.tokensPerSecond.push(e.tokensPerSecond);
    lossChart.add('train', e.step, e.loss);
    $('step').textContent = String(e.step);
    $('loss').textContent = e.loss.toFixed(3);
    $('tps').textContent = Math.round(e.tokensPerSecond).toLocaleString('en');
  } else if (e.kind === 'eval') {
    report.valLosses.push(e.valLoss);
    lossChart.add('valid', e.step, e.valLoss);
    $('val-loss').textContent = e.valLoss.toFixed(3);
    $('sample-out').textContent = `step ${e.step}: ${e.sample}`;
  }
}

async function trainClicked(): Promise<void> {
  if (!corpus) return;
  const s = settings();
  if (!model || JSON.stringify(s) !== JSON.stringify(model.settings)) forgetModel();
  status('');
  model = await training(() =>
    engine.request(
      'train',
      { settings: s, steps: num('steps'), sampling: samplingSettings() },
      onTrainingEvent,
    ),
  );
  refresh();
  await sampleClicked();
}

async function sampleClicked(): Promise<void> {
  if (!model) return;
  await busy(async () => {
    const out = $('sample-out');
    const text = await engine.request('sample', { sampling: samplingSettings() }, (e) => {
      if (e.kind === 'text') out.textContent = e.text;
    });
    report.sample = text;
    out.textContent = text;
  });
}

async function saveClicked(): Promise<void> {
  if (!model?.file) return;
  await browserStore.save(model.file);
  $('save-status').textContent =
    `saved at step ${model.step} in this browser (${(model.file.byteLength / 1024).toFixed(0)} KB); a reload keeps it`;
}

async function loadFile(bytes: Uint8Array, source: string): Promise<void> {
  const next = await engine.request('load', { file: bytes, source });
  forgetModel();
  model = next;
  showSettings(next.settings);
  if (corpus && corpus.vocab.size !== next.vocabSize)
    status('the loaded model was trained on another text; load that text to train on');
  $('save-status').textContent = `loaded ${source} (step ${next.step})`;
  refresh();
}

// ---- look inside ----

function drawHeatmaps(
  box: HTMLElement,
  name: string,
  maps: readonly HeatmapData[],
  size: 'small' | 'wide',
): void {
  maps.forEach((m, i) => {
    heatmap(chartBox(box, size), { name: maps.length > 1 ? `${name}-${i}` : name, ...m });
  });
}

async function showView(view: 'hidden' | 'gates' | 'heads' | 'gradients'): Promise<void> {
  const box = $('inside-charts');
  box.replaceChildren();
  const note = $('inside-status');
  note.textContent = '';
  const result = await engine.request(
    'view',
    { view, sentence: $<HTMLInputElement>('sentence').value },
    (e) => {
      if (e.kind === 'progress') note.textContent = e.message;
    },
  );
  if (view === 'gradients') {
    const series = result as GradientSeries[];
    lineChart(chartBox(box), {
      name: 'gradients',
      title: '‖∂L/∂h_t‖ against t (adding problem, loss on the last step, at initialisation)',
      xLabel: 't',
      yLabel: '‖∂L/∂h_t‖ (log scale)',
      logY: true,
      series: series.map((s) => ({
        label: s.name,
        points: s.norms.map((y, x) => ({ x, y: Math.max(y, 1e-30) })),
      })),
    });
    note.textContent = 'the tanh RNN loses its gradient fastest going back in time; the LSTM and GRU keep it';
    return;
  }
  const maps = result as HeatmapData[];
  if (view === 'heads') {
    drawHeatmaps(box, 'head', maps, 'small');
    chartPoints['heads'] = maps.reduce((n, m) => n + m.values.flat().length, 0);
  } else drawHeatmaps(box, view, maps, 'wide');
}

// ---- translation ----

function showTranslator(t: TranslatorSummary): void {
  report.translation = t;
  const trained =
    t.losses.length > 0
      ? `, trained ${t.losses.length} steps on ${t.pairs} pairs, loss ${t.losses[0]!.toFixed(2)} → ${t.losses.at(-1)!.toFixed(2)}`
      : '';
  $('translation-status').textContent =
    `${t.model} model ${t.losses.length > 0 ? t.origin : `from ${t.origin}`} (step ${t.step}; vocabularies ${t.sourceVocab} English, ${t.targetVocab} French words${trained})`;
}

let pairsText: string | null = null;

async function trainTranslationClicked(): Promise<void> {
  const note = $('translation-status');
  pairsText ??= await fetchPairsText();
  if (!pairsText)
    throw new Error('no English-French pairs beside this page (the build had no data/eng-fra.txt)');
  report.translationLosses = [];
  status('');
  note.textContent = 'training the Bahdanau encoder-decoder in the engine worker…';
  const t = await training(() =>
    engine.request(
      'translation-train',
      {
        pairsText: pairsText!,
        limit: num('translation-pairs'),
        steps: num('translation-steps'),
        units: num('translation-units'),
        batch: 32,
        seed: num('seed'),
      },
      (e) => {
        if (e.kind !== 'step') return;
        report.translationLosses.push(e.loss);
        note.textContent = `translation model: step ${e.step}, loss ${e.loss.toFixed(3)}, ${Math.round(e.tokensPerSecond).toLocaleString('en')} tokens/s`;
      },
    ),
  );
  showTranslator(t);
  await attendClicked();
}

async function loadTranslationFiles(files: readonly File[]): Promise<void> {
  const json = files.find((f) => f.name.endsWith('.json'));
  const tensors = files.find((f) => f.name.endsWith('.safetensors'));
  if (!json || !tensors)
    throw new Error(
      `choose both files of one strand translate checkpoint (ckpt-N.json and ckpt-N.safetensors); received ${files.map((f) => f.name).join(', ') || 'none'}`,
    );
  status('');
  const t = await engine.request('translation-load', {
    json: await json.text(),
    tensors: new Uint8Array(await tensors.arrayBuffer()),
    source: json.name,
  });
  showTranslator(t);
  await attendClicked();
}

async function attendClicked(): Promise<void> {
  const box = $('translation-chart');
  box.replaceChildren();
  const a = await engine.request('translation-attend', {
    sentence: $<HTMLInputElement>('translation-sentence').value,
  });
  heatmap(chartBox(box), { name: 'translation', ...a.heatmap });
  if (report.translation) report.translation = { ...report.translation, translation: a.translation };
  $('translation-out').textContent =
    `${a.input} → ${a.translation}${a.unknown.length > 0 ? `   (not in the vocabulary, read as <unk>: ${a.unknown.join(', ')})` : ''}`;
}

// ---- baselines ----

async function runBaselines(): Promise<void> {
  if (!corpus) return;
  const body = $('baseline-table').querySelector('tbody')!;
  body.replaceChildren();
  const addRow = (name: string, perplexity: number, seconds: string) => {
    const tr = document.createElement('tr');
    for (const v of [name, perplexity.toFixed(2), seconds]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  };
  $<HTMLButtonElement>('baselines').disabled = true;
  if (model && model.vocabSize === corpus.vocab.size) {
    const t0 = performance.now();
    const loss = await engine.request('evaluate', {});
    addRow(
      `${model.settings.kind} (this page's model, step ${model.step})`,
      Math.exp(loss),
      ((performance.now() - t0) / 1000).toFixed(1),
    );
  }
  const worker = new Worker(new URL('./baselines.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<{ row?: BaselineRow; done?: boolean; error?: string }>) => {
    if (e.data.row) {
      report.baselines.push(e.data.row);
      addRow(e.data.row.name, e.data.row.perplexity, e.data.row.seconds.toFixed(1));
    }
    if (e.data.error) fail(e.data.error);
    if (e.data.done || e.data.error) {
      worker.terminate();
      refresh();
    }
  };
  worker.postMessage({ train: corpus.trainText, valid: corpus.validText });
}

// ---- start ----

function wire(): void {
  $('train').addEventListener('click', () => void trainClicked().catch(fail));
  $('stop').addEventListener('click', () => engine.stop());
  $('translation-stop').addEventListener('click', () => engine.stop());
  $('reset').addEventListener(
    'click',
    () =>
      void busy(async () => {
        await engine.request('reset', {});
        forgetModel();
      }),
  );
  $('sample').addEventListener('click', () => void sampleClicked().catch(fail));
  $('save').addEventListener('click', () => void busy(saveClicked));
  $('download').addEventListener('click', () => {
    if (model?.file) download(model.file, `strand-${model.settings.kind}-step${model.step}.safetensors`);
  });
  $('upload').addEventListener('change', () => {
    const f = $<HTMLInputElement>('upload').files?.[0];
    if (f) void busy(async () => loadFile(new Uint8Array(await f.arrayBuffer()), f.name));
  });
  $('forget').addEventListener(
    'click',
    () =>
      void busy(async () => {
        await browserStore.forget();
        $('save-status').textContent = 'the saved model is forgotten';
      }),
  );
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-view]'))
    b.addEventListener('click', () => void busy(() => showView(b.dataset['view'] as 'hidden')));
  $('translation-train').addEventListener('click', () => void busy(trainTranslationClicked));
  $('translation-attend').addEventListener('click', () => void busy(attendClicked));
  $('translation-upload').addEventListener('change', () => {
    const files = [...($<HTMLInputElement>('translation-upload').files ?? [])];
    if (files.length > 0) void busy(() => loadTranslationFiles(files));
  });
  $('baselines').addEventListener('click', () => void runBaselines().catch(fail));
  const select = $<HTMLSelectElement>('backend-select');
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('backend', select.value);
    location.href = url.href;
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void busy(async () => useCorpus(await corpusFromFile(f)));
  });
  $('text-file').addEventListener('change', () => {
    const f = $<HTMLInputElement>('text-file').files?.[0];
    if (f) void busy(async () => useCorpus(await corpusFromFile(f)));
  });
  $('use-paste').addEventListener(
    'click',
    () => void busy(async () => useCorpus(makeCorpus('pasted text', $<HTMLTextAreaElement>('paste').value))),
  );
}

async function start(): Promise<void> {
  wire();
  const asked = requestedBackend(location.search);
  $<HTMLSelectElement>('backend-select').value = asked.preference;
  const [{ info, warning }, shakespeare, saved] = await Promise.all([
    engine.request('start', { preference: asked.preference }),
    fetchShakespeare(),
    browserStore.load().catch(() => null),
  ]);
  Object.assign(report, { backend: info.name, device: info.device, software: info.software });
  $('backend').textContent = info.name;
  $('device').textContent = describeBackend(info);
  if (asked.warning || warning) status([asked.warning, warning].filter(Boolean).join('; '));
  if (shakespeare) await useCorpus(shakespeare);
  else
    $('data-status').textContent =
      'no tiny Shakespeare beside this page: drop a text file or paste some text';
  if (saved) await loadFile(saved, 'the model saved in this browser').catch(fail);
  // MODE, not PROD: PROD follows NODE_ENV, which is 'test' when the browser tests build the app.
  if ('serviceWorker' in navigator && import.meta.env.MODE === 'production')
    navigator.serviceWorker
      .register('./sw.js')
      .catch((e: Error) => console.warn(`offline cache: ${e.message}`));
  report.ready = true;
  refresh();
}

start().catch((e) => {
  fail(e);
  report.ready = true;
});
