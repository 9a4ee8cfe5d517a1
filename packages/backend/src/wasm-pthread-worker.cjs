'use strict';
// One pthread of tfjs-backend-wasm's multi-threaded build, as a Node worker_threads script.
// tfjs ships this worker only as a string for a browser Blob; Node needs a file, so this file runs the
// same string. The string was written inside a template literal, so its "\n" escapes arrived as real
// newlines: put them back (tfjs does the same before making its Blob).
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

// biome-ignore lint/security/noGlobalEval: the script needs this module's `require` and `__filename`.
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
