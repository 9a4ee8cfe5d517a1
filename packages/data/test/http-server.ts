/** A local HTTP server for tests of the download path (no internet here): serves fixed bodies by path. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly url: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves `routes[path]` (200) or 404; `status` entries answer with that status instead. */
export async function startTestServer(
  routes: Record<string, Uint8Array | string | number>,
): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const body = routes[path];
    if (body === undefined || typeof body === 'number') {
      res.writeHead(typeof body === 'number' ? body : 404);
      res.end('<html>not here</html>');
      return;
    }
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    res.writeHead(200, { 'content-length': String(bytes.length) });
    res.end(bytes);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
