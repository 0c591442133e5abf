/**
 * Node's http request/response ↔ the web Request/Response the route handlers speak.
 *
 * - The request body is read whole (API bodies are small JSON) and the Request carries an
 *   AbortSignal that fires when the client goes away, as Next.js gives route handlers (the event
 *   stream ends on it).
 * - The response body is streamed chunk by chunk with backpressure (GET /jobs at 100,000 jobs is
 *   ~70 MB; /api/events never ends), and cancelled when the client disconnects.
 * - gzip only where asked for and worth it: /api/* JSON answers (the UI's graph, timeline and runs
 *   pages read hundreds of KB) for a client that accepts it. The Chronos API is answered plain, as
 *   Chronos (Jetty) does.
 */
import type http from 'node:http';
import zlib from 'node:zlib';

export class BodyTooLargeError extends Error {}

/** The message of a 413: the limit and the setting that raises it. */
export const tooLargeMessage = (limit: number): string =>
  `the request body is larger than ${limit} bytes, the limit (HTTP_MAX_BODY_BYTES raises it)`;

/**
 * The whole body, or BodyTooLargeError as soon as more than `limit` bytes have come (the rest is
 * read and dropped so the 413 reaches the client).
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // keep nothing more, but let the rest arrive so the 413 reaches the client
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(tooLargeMessage(limit)));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A web Request for `req` with `body`. A GET (or HEAD) carries an AbortSignal that fires when the
 * client disconnects before the answer ends (the event stream ends on it). A body is read from the
 * Buffer already in hand: text(), json(), arrayBuffer() and bytes() answer from it, and `body` is a
 * stream of it made when asked for. Undici's own body (a ReadableStream per request, read back
 * through its reader) and the signal cost ~4% of the app's CPU in a burst of POSTs.
 */
export function toRequest(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, origin: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    // HTTP/2 pseudo-headers never reach an http.Server; skip anything Headers would refuse
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // an invalid header value: leave it out
    }
  }
  const method = req.method ?? 'GET';
  const url = `${origin}${req.url ?? '/'}`;
  if (method === 'GET' || method === 'HEAD') {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    return new Request(url, { method, headers, signal: abort.signal });
  }
  const request = new Request(url, { method, headers });
  return body.length > 0 ? withBody(request, body) : request;
}

/** `request` answering its body methods from `body` (own properties over Request's own). */
function withBody(request: Request, body: Buffer): Request {
  let used = false;
  const take = () => {
    if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    used = true;
    return Promise.resolve(body);
  };
  const own = (b: Buffer) => new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
  let stream: ReadableStream<Uint8Array> | null = null;
  Object.defineProperties(request, {
    text: { value: () => take().then((b) => b.toString('utf8')) },
    json: { value: () => take().then((b) => JSON.parse(b.toString('utf8')) as unknown) },
    arrayBuffer: { value: () => take().then((b) => own(b).buffer) },
    bytes: { value: () => take().then(own) },
    blob: { value: () => take().then((b) => new Blob([own(b)], { type: request.headers.get('content-type') ?? '' })) },
    bodyUsed: { get: () => used },
    body: {
      get: () => {
        if (!stream) {
          used = true;
          stream = new Blob([own(body)]).stream();
        }
        return stream;
      },
    },
  });
  return request;
}

/**
 * Writes `response` to `res`: status, headers (`opts.headers` set over the response's own), then
 * the body streamed with backpressure.
 */
export async function sendResponse(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  response: Response,
  opts: { gzip?: boolean; headers?: Record<string, string> } = {},
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  if (opts.headers) for (const k in opts.headers) headers[k] = opts.headers[k];
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  const body = req.method === 'HEAD' ? null : response.body;
  if (!body) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const gzip =
    opts.gzip &&
    /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) &&
    !headers['content-encoding'] &&
    /json|text\/(plain|csv)/.test(String(headers['content-type'] ?? '')) &&
    !/no-transform/.test(String(headers['cache-control'] ?? ''));
  let out: NodeJS.WritableStream & { write(chunk: Uint8Array): boolean } = res;
  if (gzip) {
    delete headers['content-length'];
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
    const z = zlib.createGzip({ level: 4 });
    z.pipe(res);
    out = z;
  }
  const streaming = String(headers['content-type'] ?? '').startsWith('text/event-stream');
  if (streaming) res.setHeader('X-Accel-Buffering', 'no');
  res.writeHead(response.status, headers);
  if (streaming) res.flushHeaders();
  const reader = body.getReader();
  let closed = false;
  const onClose = () => {
    closed = true;
    void reader.cancel().catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || closed) break;
      if (!out.write(value)) {
        await new Promise<void>((r) => {
          (out as NodeJS.EventEmitter).once('drain', r);
          res.once('close', r);
        });
      }
      if (gzip && streaming) (out as zlib.Gzip).flush();
    }
  } catch {
    // the handler's stream failed after the status went out: end what was sent
  } finally {
    res.off('close', onClose);
    if (!closed) out.end();
  }
}
