/**
 * The child process of the SIGKILL test (bundled by checkpoint-node.test.ts, run with plain node):
 * trains a tiny LM with a checkpoint after every step, resuming from `dir` when it holds one, and
 * prints `{"step":s,"loss":l}` per step. With `KILL_AT=s`, it SIGKILLs itself in the middle of
 * saving step s: after the tensor file, with half of the JSON in a temp file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBackend } from '@strand/backend';
import { Rng } from '@strand/base';
import { adamw, cosineAnnealing, languageModel, linearWarmup, streamData } from '../src/index.js';
import { directoryStore, train } from '../src/node.js';

const [dir, stepsArg] = process.argv.slice(2) as [string, string];
const killAt = Number(process.env['KILL_AT'] ?? -1);
await useBackend('cpu');
const rng = new Rng(1);
const ids = Int32Array.from({ length: 600 }, (_, i) => (rng.next() < 0.1 ? rng.int(6) : i % 5));
const model = languageModel({ vocabSize: 6, units: 8, layers: 2, dropout: 0.1, seed: 2 });
const optimizer = adamw({ lr: 0.02 });
const scheduler = linearWarmup(optimizer, { warmupSteps: 3, after: (o) => cosineAnnealing(o, { tMax: 30 }) });
const files = directoryStore(dir);
const store = {
  ...files,
  async write(step: number, json: string, bytes: Uint8Array) {
    if (step !== killAt) return files.write(step, json, bytes);
    const base = `ckpt-${String(step).padStart(9, '0')}`;
    await writeFile(join(dir, `${base}.safetensors`), bytes);
    await writeFile(join(dir, `.${base}.json.${process.pid}.strand-tmp`), json.slice(0, json.length >> 1));
    process.kill(process.pid, 'SIGKILL');
  },
};
await train({
  model,
  optimizer,
  scheduler,
  clip: 0.5,
  seed: 5,
  data: streamData(ids, { batchSize: 3, chunkLength: 7 }),
  steps: Number(stepsArg),
  resume: true,
  checkpoint: { store, every: 1, keepLast: 2 },
  progress: false,
  callbacks: {
    onBatchEnd: (e) => {
      process.stdout.write(`${JSON.stringify({ step: e.step, loss: e.loss })}\n`);
    },
  },
});
