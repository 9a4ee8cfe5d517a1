// `pnpm bench` for @strand/trainer (imports the BUILT packages: turbo builds them first).
//   (a) the loop's overhead over a bare training step (cells benchmark model, wasm)
//   (b) tiny Shakespeare chars: the README example's LSTM vs the 5-gram modified Kneser-Ney model
//   (c) the share of the trainer's full step (AdamW, clipping, schedule) that is not a matmul (wasm)
// Options pass through: node bench/run.mjs --minutes 3 (see shakespeare.mjs, overhead.mjs and step-share.mjs).
import { overheadBench } from './overhead.mjs';
import { shakespeareBench } from './shakespeare.mjs';
import { stepShareBench } from './step-share.mjs';

await overheadBench();
await stepShareBench();
await shakespeareBench();
