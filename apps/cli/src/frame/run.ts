/**
 * What every subcommand does around its own work: validate options, start the backend, prepare
 * the output folder, and time the run against the --steps/--minutes budget.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type BackendInfo, useBackend } from '@strand/backend';
import { writeFileAtomic } from '@strand/base/node';
import type { CommonOptions } from './options.js';
import { createOutput, type Output } from './output.js';

export interface RunContext {
  readonly options: CommonOptions;
  readonly output: Output;
  readonly backend: BackendInfo;
  /** Absolute output folder (created). */
  readonly outDir: string;
  /** When the time budget ends, in performance.now() seconds; Infinity without --minutes. */
  readonly deadline: number;
  /** Writes a file under outDir atomically; returns its path. */
  write(name: string, data: string | Uint8Array): Promise<string>;
}

export async function startRun(options: CommonOptions, { backend = true } = {}): Promise<RunContext> {
  const output = createOutput(options.json);
  const started = performance.now() / 1000;
  const info: BackendInfo = backend
    ? await useBackend(options.backend as Parameters<typeof useBackend>[0])
    : { name: 'cpu', tfjsName: 'none', device: 'no tensors', software: false, details: {} };
  if (backend) output.note(`backend: ${info.name} (${info.device})`);
  const outDir = resolve(options.out);
  await mkdir(outDir, { recursive: true });
  return {
    options,
    output,
    backend: info,
    outDir,
    deadline: options.minutes === undefined ? Number.POSITIVE_INFINITY : started + options.minutes * 60,
    async write(name, data) {
      const path = resolve(outDir, name);
      await writeFileAtomic(path, data);
      return path;
    },
  };
}
