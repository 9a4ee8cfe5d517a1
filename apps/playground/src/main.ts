/** The page: wires the controls to the session, the charts and the views. */
import type { TransformerLm } from '@strand/attention';
import type { LanguageModel } from '@strand/trainer';
import { describeBackend, requestedBackend, startBackend } from './backend.js';
import type { BaselineRow } from './baselines.worker.js';
import { chartBox, chartPoints, heatmap, LossChart, lineChart } from './charts.js';
import { type Corpus, corpusFromFile, fetchShakespeare, makeCorpus } from './corpus.js';
import { GATES, hiddenStates, lstmGates, transformerAttention, vanishingGradients } from './inside.js';
import { type ModelKind, type SamplingSettings, Session, type Settings } from './session.js';
import { browserStore, download, readCheckpointFile } from './storage.js';
import { trainTranslation } from './translation.js';

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
  charts: chartPoints,
  baselines: [] as BaselineRow[],
  errors: [] as string[],
};
(window as unknown as { __playground: typeof report }).__playground = report;

let corpus: Corpus | null = null;
let session: Session | null = null;
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
  try {
    await work();
  } catch (e) {
    fail(e);
  } finally {
    report.busy = false;
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
  const training = session?.training ?? false;
  const have = session !== null;
  $<HTMLButtonElement>('train').disabled = training || corpus === null || report.busy;
  $<HTMLButtonElement>('train').textContent = have && session!.step > 0 ? 'Resume' : 'Train';
  $<HTMLButtonElement>('stop').disabled = !training;
  $<HTMLButtonElement>('reset').disabled = training || !have;
  $<HTMLButtonElement>('sample').disabled = training || !have || report.busy;
  $<HTMLButtonElement>('save').disabled = training || session?.file == null;
  $<HTMLButtonElement>('download').disabled = training || session?.file == null;
  $<HTMLButtonElement>('baselines').disabled = corpus === null;
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-view]')) {
    const view = b.dataset['view'];
    const needsModel = view === 'hidden' || view === 'gates' || view === 'heads';
    const fits =
      view === 'heads'
        ? session?.isTransformer
        : view === 'gates'
          ? session?.settings.kind === 'lstm'
          : view === 'hidden'
            ? have && !session!.isTransformer
            : true;
    b.disabled = training || report.busy || (needsModel && !(have && fits));
  }
  $('step').textContent = String(session?.step ?? 0);
}

function useCorpus(c: Corpus): void {
  corpus = c;
  $('data-status').textContent =
    `${c.name}: ${c.text.length.toLocaleString('en')} characters, ${c.vocab.size} symbols (${c.train.length.toLocaleString('en')} for training, ${c.valid.length} for validation)`;
  if (session && session.vocab.size !== c.vocab.size) replaceSession(null);
  refresh();
}

function replaceSession(next: Session | null): void {
  session?.dispose();
  session = next;
  report.step = next?.step ?? 0;
  report.losses = [];
  report.tokensPerSecond = [];
  report.valLosses = [];
  lossChart.clear();
  refresh();
}

async function trainClicked(): Promise<void> {
  if (!corpus) return;
  const s = settings();
  if (!session || JSON.stringify(s) !== JSON.stringify(session.settings))
    replaceSession(Session.create(s, corpus.vocab));
  const current = session!;
  status('');
  const run = current.train(corpus, num('steps'), {
    onStep: (e, tps) => {
      report.step = e.step;
      report.losses.push(e.loss);
      report.tokensPerSecond.push(tps);
      lossChart.add('train', e.step, e.loss);
      $('step').textContent = String(e.step);
      $('loss').textContent = e.loss.toFixed(3);
      $('tps').textContent = Math.round(tps).toLocaleString('en');
    },
    onEval: async (step, valLoss) => {
      report.valLosses.push(valLoss);
      lossChart.add('valid', step, valLoss);
      $('val-loss').textContent = valLoss.toFixed(3);
      // Text sampled as it trains: a short line at every evaluation.
      const sampling = samplingSettings();
      const line = await current.sample({ ...sampling, length: Math.min(80, sampling.length) });
      $('sample-out').textContent = `step ${step}: ${line}`;
    },
  });
  refresh();
  await run;
  await sampleClicked();
}

async function sampleClicked(): Promise<void> {
  if (!session) return;
  report.busy = true;
  refresh();
  try {
    const out = $('sample-out');
    const text = await session.sample(samplingSettings(), (partial) => {
      out.textContent = partial;
    });
    report.sample = text;
    out.textContent = text;
  } finally {
    report.busy = false;
    refresh();
  }
}

async function saveClicked(): Promise<void> {
  if (!session?.file) return;
  await browserStore.save(session.file);
  $('save-status').textContent =
    `saved at step ${session.step} in this browser (${(session.file.byteLength / 1024).toFixed(0)} KB); a reload keeps it`;
}

async function loadFile(bytes: Uint8Array, source: string): Promise<void> {
  const checkpoint = readCheckpointFile(bytes, source);
  const next = Session.restore(checkpoint, bytes);
  showSettings(next.settings);
  replaceSession(next);
  if (corpus && corpus.vocab.size !== next.vocab.size)
    status('the loaded model was trained on another text; load that text to train on');
  $('save-status').textContent = `loaded ${source} (step ${next.step})`;
  refresh();
}

// ---- look inside ----

function sentenceIds(): { ids: number[]; chars: string[] } {
  const vocab = session!.vocab;
  const chars = [...$<HTMLInputElement>('sentence').value].filter((c) => vocab.has(c)).slice(0, 64);
  if (chars.length === 0) throw new Error('the sentence holds no character the model knows');
  return { ids: [...vocab.encode(chars.join(''))], chars };
}

async function showView(view: string): Promise<void> {
  const box = $('inside-charts');
  box.replaceChildren();
  const note = $('inside-status');
  note.textContent = '';
  if (view === 'hidden') {
    const { ids, chars } = sentenceIds();
    const values = await hiddenStates(session!.model as LanguageModel, ids);
    heatmap(chartBox(box), {
      name: 'hidden',
      title: `first-layer hidden state h_t (${values.length} units) over the sentence`,
      columns: chars,
      rows: values.map((_, i) => `h${i}`),
      values,
    });
  } else if (view === 'gates') {
    const { ids, chars } = sentenceIds();
    const gates = await lstmGates(session!.model as LanguageModel, ids);
    heatmap(chartBox(box), {
      name: 'gates',
      title: 'LSTM gate activations (first 8 units of each gate)',
      columns: chars,
      rows: gates.flatMap((g, k) => g.map((_, u) => `${GATES[k]} ${u}`)),
      values: gates.flat(),
    });
  } else if (view === 'gradients') {
    note.textContent = 'computing ‖∂L/∂h_t‖ for four networks at initialisation…';
    const series = await vanishingGradients();
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
  } else if (view === 'heads') {
    const { ids, chars } = sentenceIds();
    const layers = await transformerAttention(session!.model as TransformerLm, ids);
    let n = 0;
    layers.forEach((heads, l) => {
      heads.forEach((w, h) => {
        heatmap(chartBox(box, 'small'), {
          name: `head-${n++}`,
          title: `layer ${l + 1}, head ${h + 1}`,
          columns: chars.slice(0, w.length),
          rows: chars.slice(0, w.length),
          values: w,
        });
      });
    });
    chartPoints['heads'] = layers.flat(3).length;
  } else if (view === 'translation') {
    note.textContent = 'training a GRU encoder-decoder with Bahdanau attention to write words backwards…';
    const r = await trainTranslation(num('translation-steps') || 150, (step, loss) => {
      note.textContent = `translation model: step ${step}, loss ${loss.toFixed(3)}`;
    });
    heatmap(chartBox(box), {
      name: 'translation',
      title: `Bahdanau attention: "${r.source.join('')}" → "${r.target.join('')}" (rows: output, columns: input)`,
      columns: r.source,
      rows: r.target,
      values: r.attention,
    });
    note.textContent = `translation model trained ${r.losses.length} steps, loss ${r.losses[0]!.toFixed(2)} → ${r.losses.at(-1)!.toFixed(2)}`;
  }
}

// ---- baselines ----

function runBaselines(): void {
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
  if (session && session.vocab.size === corpus.vocab.size) {
    const t0 = performance.now();
    const loss = session.evaluate(corpus);
    addRow(
      `${session.settings.kind} (this page's model, step ${session.step})`,
      Math.exp(loss),
      ((performance.now() - t0) / 1000).toFixed(1),
    );
  }
  const worker = new Worker(new URL('./baselines.worker.ts', import.meta.url), { type: 'module' });
  $<HTMLButtonElement>('baselines').disabled = true;
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
  $('stop').addEventListener('click', () => session?.stop());
  $('reset').addEventListener('click', () => replaceSession(null));
  $('sample').addEventListener('click', () => void sampleClicked().catch(fail));
  $('save').addEventListener('click', () => void busy(saveClicked));
  $('download').addEventListener('click', () => {
    if (session?.file)
      download(session.file, `strand-${session.settings.kind}-step${session.step}.safetensors`);
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
    b.addEventListener('click', () => void busy(() => showView(b.dataset['view']!)));
  $('baselines').addEventListener('click', runBaselines);
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
  const { info, warning } = await startBackend(asked.preference);
  Object.assign(report, { backend: info.name, device: info.device, software: info.software });
  $('backend').textContent = info.name;
  $('device').textContent = describeBackend(info);
  if (asked.warning || warning) status([asked.warning, warning].filter(Boolean).join('; '));
  const [shakespeare, saved] = await Promise.all([fetchShakespeare(), browserStore.load().catch(() => null)]);
  if (shakespeare) useCorpus(shakespeare);
  else
    $('data-status').textContent =
      'no tiny Shakespeare beside this page: drop a text file or paste some text';
  if (saved) await loadFile(saved, 'the model saved in this browser').catch(fail);
  if ('serviceWorker' in navigator && import.meta.env.PROD)
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
