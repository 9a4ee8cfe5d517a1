/** The training and sampling forms as plain data (shared by the page and the engine worker). */
export type ModelKind = 'lstm' | 'gru' | 'rnn' | 'transformer';

export interface Settings {
  readonly kind: ModelKind;
  readonly units: number;
  readonly layers: number;
  readonly batch: number;
  readonly length: number;
  readonly lr: number;
  readonly seed: number;
}

export interface SamplingSettings {
  readonly prompt: string;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly length: number;
  readonly seed: number;
}
