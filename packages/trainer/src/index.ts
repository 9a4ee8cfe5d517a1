export type { AutoregressiveModel, ForwardOptions, ModelConfig } from './model.js';
export type { Optimizer, OptimizerState, Scheduler, SchedulerState } from './optim/types.js';
