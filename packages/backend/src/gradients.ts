// The one documented side effect of @strand/backend: registering tfjs-core's gradient functions.
// tfjs-core registers none on import, and its deep `register_all_gradients` import cannot load in
// plain Node ESM (extensionless imports), so the build bundles it into `generated/gradients.js`.
// Order matters: tfjs-core's own module graph (platform, flags) must run before the bundle's copies.
import '@tensorflow/tfjs-core';
import './generated/gradients.js';
