import type { ModelConfig } from '@strand/trainer';
import { TransformerLm, type TransformerLmConfig } from './transformer-lm.js';

/**
 * Registers the decoder-only transformer (`kind: 'transformer'`) with the trainer's model registry,
 * so `createModel` (checkpoint restore, `strand lm --model transformer`) can build it. Explicit,
 * not an import side effect: call it once at start-up.
 *
 * @example
 * import { registerModel } from '@strand/trainer';
 * registerAttentionModels(registerModel);
 */
export function registerAttentionModels(
  register: (kind: string, factory: (config: ModelConfig) => TransformerLm) => void,
): void {
  register('transformer', (config) => new TransformerLm(config as unknown as TransformerLmConfig));
}
