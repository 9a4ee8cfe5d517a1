/**
 * The page's handle on the engine worker (engine.worker.ts): typed requests that resolve with the
 * worker's answer, with its events (loss, samples, tokens/s) delivered to a callback meanwhile.
 */
import type { EngineEvent, FromWorker, Requests, RequestType, ToWorker } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onEvent?: ((e: EngineEvent) => void) | undefined;
}

export class Engine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'event') p.onEvent?.(m.event);
      else {
        this.pending.delete(m.id);
        if (m.type === 'done') p.resolve(m.result);
        else p.reject(new Error(m.message));
      }
    };
    this.worker.onerror = (e) => {
      // A worker that failed to load or threw outside a request: every waiting request fails.
      const error = new Error(`the engine worker failed: ${e.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  request<K extends RequestType>(
    type: K,
    payload: Requests[K]['req'],
    onEvent?: (e: EngineEvent) => void,
  ): Promise<Requests[K]['res']> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.postMessage({ id, type, payload } satisfies ToWorker);
    });
  }

  /** Aborts the running training between two steps (its request then resolves as usual). */
  stop(): void {
    this.worker.postMessage({ id: 0, type: 'stop' } satisfies ToWorker);
  }
}
