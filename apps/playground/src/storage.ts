/**
 * Keeping a saved model (one safetensors file, written by the engine worker's checkpoint-file.ts) in
 * IndexedDB so that a reload keeps it, and offering it as a download. Page side: no tensors here.
 */
const DB = 'strand-playground';
const STORE = 'models';
const KEY = 'latest';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function transact<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = run(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

export const browserStore = {
  save: (file: Uint8Array): Promise<void> => transact('readwrite', (s) => s.put(file, KEY)),
  load: async (): Promise<Uint8Array | null> =>
    (await transact<Uint8Array | undefined>('readonly', (s) => s.get(KEY))) ?? null,
  forget: (): Promise<void> => transact('readwrite', (s) => s.delete(KEY)),
};

/** Offers `bytes` as a download. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
