/**
 * Browser-safe ways to get a data file's text: `fetchText(url)` and `readFileText(file)` (a `File`
 * from an `<input type="file">` or a drop), so a page feeds the same `parse*` readers as Node.
 */
import { decodeUtf8, describeValue, InputError, StrandError } from '@strand/base';
import { DownloadError } from './errors.js';

export interface FetchOptions {
  /** The fetch to use. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Largest response accepted, in bytes. Default 512 MiB. */
  readonly maxBytes?: number;
  /** Give up after this many milliseconds. Default 300,000 (5 minutes). */
  readonly timeoutMs?: number;
  /** Called as bytes arrive; `total` is the Content-Length, when the server sent one. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * The body of `url` as bytes. Network errors, HTTP errors, timeouts and bodies over `maxBytes`
 * are `DownloadError`s naming the URL.
 */
export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  let response: Response;
  try {
    response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 300_000) });
  } catch (error) {
    throw new DownloadError(
      url,
      `no response (${(error as Error)?.message ?? String(error)}); offline?`,
      undefined,
      { cause: error },
    );
  }
  if (!response.ok)
    throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const total = Number.isFinite(declared) ? declared : undefined;
  if (total !== undefined && total > maxBytes)
    throw new DownloadError(url, `${total} bytes is over the limit of ${maxBytes}`);
  if (response.body === null) return new Uint8Array(await response.arrayBuffer());
  const parts: Uint8Array[] = [];
  let received = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (received > maxBytes) {
        await reader.cancel();
        throw new DownloadError(url, `more than the limit of ${maxBytes} bytes`);
      }
      parts.push(value);
      options.onProgress?.(received, total);
    }
  } catch (error) {
    if (error instanceof StrandError) throw error;
    throw new DownloadError(
      url,
      `the connection broke after ${received} bytes (${(error as Error)?.message})`,
      response.status,
      { cause: error },
    );
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The body of `url` as text (strict UTF-8: invalid bytes are a FormatError naming the URL and byte). */
export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  return decodeUtf8(await fetchBytes(url, options), { format: 'text', source: url });
}

/** A `File` or `Blob`'s bytes. */
export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) {
    throw new InputError({
      what: 'readFileBytes file',
      expected: 'a File or Blob',
      received: describeValue(file),
    });
  }
  return new Uint8Array(await file.arrayBuffer());
}

/** A `File` or `Blob`'s text (strict UTF-8; errors name the file when it has a name). */
export async function readFileText(file: Blob): Promise<string> {
  const bytes = await readFileBytes(file);
  const name = (file as Partial<File>).name;
  return decodeUtf8(bytes, {
    format: 'text',
    source: typeof name === 'string' && name !== '' ? name : undefined,
  });
}
