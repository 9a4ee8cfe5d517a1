import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { disposeParameters } from '@strand/core';
import { useTestBackend } from '@strand/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLatest } from '../checkpoint/store.js';
import { streamData } from '../loop/data.js';
import { lmEvaluator } from '../loop/evaluate.js';
import { languageModel } from '../models/language-model.js';
import { adam } from '../optim/adam.js';
import { directoryStore } from './directory-store.js';
import { train } from './train.js';

/** A stand-in for stderr that records what is written (not a TTY: plain lines). */
function recorder(): NodeJS.WriteStream & { text: string } {
  const w = new Writable({
    write(chunk, _enc, done) {
      (w as unknown as { text: string }).text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  w.text = '';
  return w;
}

describe('the Node train: files, log and progress', () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'strand-trainer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes checkpoints to a directory, a JSON-lines log, and plain progress lines', async () => {
    const model = languageModel({ vocabSize: 4, units: 4, seed: 1 });
    const optimizer = adam({ lr: 0.01 });
    const ids = Int32Array.from({ length: 200 }, (_, i) => i % 4);
    const stream = recorder();
    const r = await train({
      model,
      optimizer,
      data: streamData(ids, { batchSize: 2, chunkLength: 5 }),
      steps: 6,
      evalEvery: 3,
      evaluate: lmEvaluator(ids.subarray(0, 40), { batchSize: 2, chunkLength: 10 }),
      checkpoint: { dir: join(dir, 'run'), every: 2, keepLast: 2, extra: { note: 'x' } },
      log: join(dir, 'run', 'metrics.jsonl'),
      progress: { mode: 'lines', every: 0, stream },
    });
    expect(r.step).toBe(6);
    const records = (await readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: number });
    expect(records.filter((x) => x.type === 'batch').map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records.filter((x) => x.type === 'eval').map((x) => x.step)).toEqual([3, 6]);
    expect(await directoryStore(join(dir, 'run')).list()).toEqual([4, 6]);
    expect((await readdir(join(dir, 'run'))).sort()).toEqual([
      'ckpt-000000004.json',
      'ckpt-000000004.safetensors',
      'ckpt-000000006.json',
      'ckpt-000000006.safetensors',
      'metrics.jsonl',
    ]);
    const latest = (await loadLatest(directoryStore(join(dir, 'run'))))!;
    expect(latest.meta.step).toBe(6);
    expect(latest.meta.extra).toEqual({ note: 'x' });
    for (const t of latest.tensors.values()) t.dispose();
    expect(stream.text).toMatch(
      /^step 1\/6 epoch 0: loss \d\.\d{4} \(\d\.\d{4}\), grad norm \d+\.\d{3}, lr 1\.00e-2, \d+ tok\/s/m,
    );
    expect(stream.text).toMatch(/^eval at step 3: valLoss \d\.\d{4}, valPerplexity/m);
    optimizer.dispose();
    disposeParameters(model.params);
  });
});
