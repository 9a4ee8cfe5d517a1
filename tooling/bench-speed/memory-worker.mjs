// One memory measurement in a fresh process (so the process's peak RSS belongs to this model and length):
//   node memory-worker.mjs '{"model":"lstm","T":64,"backend":"wasm"}'
// Prints one JSON line: peak tensor bytes of one training step (tf.profile), the tensor bytes held
// between steps, RSS before the first step and the peak RSS over three steps, and the median step time.
const { useBackend } = await import('@strand/backend');
const tf = await import('@tensorflow/tfjs-core');
const { strandTrainStep, transformerTrainStep } = await import('./models.mjs');

const a = JSON.parse(process.argv[2]);
await useBackend(a.backend ?? 'wasm');
const MiB = 2 ** 20;
const step =
  a.model === 'transformer'
    ? transformerTrainStep({ B: a.B, T: a.T, V: 65, D: a.D, heads: a.heads, L: a.L })
    : strandTrainStep(a.model, { B: a.B, T: a.T, E: a.E, H: a.H, V: 65 }, { fold: Boolean(a.fold) });
const rssBefore = process.memoryUsage().rss;
const ms = [];
for (let i = 0; i < 2; i++) {
  const t0 = performance.now();
  await step();
  ms.push(performance.now() - t0);
}
const held = tf.memory().numBytes;
const info = await tf.profile(async () => {
  await step();
  return [];
});
console.log(
  JSON.stringify({
    peakTensorMiB: info.peakBytes / MiB,
    heldMiB: held / MiB,
    rssBeforeMiB: rssBefore / MiB,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB,
    ms: Math.min(...ms),
  }),
);
process.exit(0);
