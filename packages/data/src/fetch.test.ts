import { FormatError } from '@strand/base';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../test/http-server.js';
import { DownloadError } from './errors.js';
import { fetchBytes, fetchText, readFileText } from './fetch.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    '/input.txt': 'First Citizen:\nSpeak.\n',
    '/bad.txt': Uint8Array.of(0x61, 0xc0, 0x80),
    '/big.bin': new Uint8Array(5000),
    '/gone': 500,
  });
});
afterAll(() => server.close());

describe('fetchText / fetchBytes', () => {
  test('text of a URL; progress reported', async () => {
    const seen: number[] = [];
    expect(await fetchText(`${server.url}/input.txt`, { onProgress: (r) => seen.push(r) })).toBe(
      'First Citizen:\nSpeak.\n',
    );
    expect(seen.at(-1)).toBe(22);
  });

  test('HTTP errors, size limits and refused connections are DownloadErrors naming the URL', async () => {
    const missing = await fetchBytes(`${server.url}/nope`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DownloadError);
    expect((missing as DownloadError).status).toBe(404);
    expect((missing as DownloadError).message).toContain(`${server.url}/nope`);
    await expect(fetchBytes(`${server.url}/gone`)).rejects.toThrow(/HTTP 500/);
    await expect(fetchBytes(`${server.url}/big.bin`, { maxBytes: 1000 })).rejects.toThrow(
      /over the limit of 1000/,
    );
    await expect(fetchBytes('http://127.0.0.1:1/x')).rejects.toThrow(DownloadError);
  });

  test('invalid UTF-8 is a FormatError naming the URL and byte', async () => {
    const e = (await fetchText(`${server.url}/bad.txt`).catch((x: unknown) => x)) as FormatError;
    expect(e).toBeInstanceOf(FormatError);
    expect(e.byteOffset).toBe(1);
    expect(e.source).toBe(`${server.url}/bad.txt`);
  });
});

describe('readFileText', () => {
  test("a File's text; errors name the file", async () => {
    expect(await readFileText(new File(['Go.\tVa !\n'], 'eng-fra.txt'))).toBe('Go.\tVa !\n');
    await expect(readFileText(new File([Uint8Array.of(0xff)], 'x.txt'))).rejects.toThrow(/x\.txt byte 0/);
    await expect(readFileText('x' as unknown as Blob)).rejects.toThrow(/a File or Blob/);
  });
});
