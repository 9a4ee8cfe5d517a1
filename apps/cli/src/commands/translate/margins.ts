/**
 * The target as the command reports it: how far attention puts a model above the
 * bottleneck. Two margins, because they answer different questions: the recurrent one (the best of
 * Bahdanau and Luong minus the bottleneck) adds attention to the same GRU encoder-decoder and
 * changes nothing else; the transformer's replaces recurrence with attention altogether.
 */
import type { TranslateModelName } from './models.js';

export interface ScoredModel {
  readonly model: TranslateModelName;
  /** BLEU × 100 with the chosen decoder. */
  readonly bleu: number;
  /** BLEU × 100 with greedy decoding (the same figure when the decoder is greedy). */
  readonly greedyBleu: number;
}

export interface Margin {
  readonly bleu: number;
  readonly greedy: number;
}

export interface AttentionMargins {
  /** Best of Bahdanau and Luong minus the bottleneck; null unless both sides ran. */
  readonly recurrent: Margin | null;
  /** Transformer minus the bottleneck; null unless both ran. */
  readonly transformer: Margin | null;
}

export function attentionMargins(models: readonly ScoredModel[]): AttentionMargins {
  const bottleneck = models.find((m) => m.model === 'bottleneck');
  const marginOf = (side: readonly ScoredModel[]): Margin | null =>
    bottleneck === undefined || side.length === 0
      ? null
      : {
          bleu: Math.max(...side.map((m) => m.bleu)) - bottleneck.bleu,
          greedy: Math.max(...side.map((m) => m.greedyBleu)) - bottleneck.greedyBleu,
        };
  return {
    recurrent: marginOf(models.filter((m) => m.model === 'bahdanau' || m.model === 'luong')),
    transformer: marginOf(models.filter((m) => m.model === 'transformer')),
  };
}
