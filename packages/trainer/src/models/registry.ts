/**
 * Rebuilding a model from the config stored in its checkpoint. The three recurrent kinds are built
 * in; other packages (the transformer in `@strand/attention`) add theirs with `registerModel`.
 */
import { ConfigError } from '@strand/base';
import type { ModelConfig, TrainableModel } from '../model.js';
import { SequenceClassifier, type SequenceClassifierConfig } from './classifier.js';
import { LanguageModel, type LanguageModelConfig } from './language-model.js';
import { SequenceTagger, type SequenceTaggerConfig } from './tagger.js';

export type ModelFactory = (config: ModelConfig) => TrainableModel;

const registry = new Map<string, ModelFactory>();

/** Adds (or replaces) the factory for configs with `kind`. */
export function registerModel(kind: string, factory: ModelFactory): void {
  if (typeof kind !== 'string' || kind === '')
    throw new ConfigError('a model kind must be a non-empty string', 'kind');
  registry.set(kind, factory);
}

/** The kinds `createModel` can build. */
export function modelKinds(): string[] {
  return ['language-model', 'sequence-classifier', 'sequence-tagger', ...registry.keys()];
}

/**
 * A fresh model (new weights from the config's seed) of the config's kind.
 *
 * @throws ConfigError for an unknown kind, naming the known ones.
 */
export function createModel(config: ModelConfig): TrainableModel {
  const kind = config?.kind;
  const custom = typeof kind === 'string' ? registry.get(kind) : undefined;
  if (custom) return custom(config);
  switch (kind) {
    case 'language-model':
      return new LanguageModel(config as unknown as LanguageModelConfig);
    case 'sequence-classifier':
      return new SequenceClassifier(config as unknown as SequenceClassifierConfig);
    case 'sequence-tagger':
      return new SequenceTagger(config as unknown as SequenceTaggerConfig);
    default:
      throw new ConfigError(
        `unknown model kind ${JSON.stringify(kind)}; known: ${modelKinds().join(', ')}`,
        'kind',
      );
  }
}
