/** HTTP plumbing shared by the master's endpoints: the error type that becomes a reply, replies, request bodies. */
import type http from 'node:http';
import type net from 'node:net';

const corked = new WeakSet<net.Socket>();

/**
 * Holds what is written to `socket` until the end of this turn of the event loop, then sends it
 * in one write: the answers to a scheduler's pipelined calls (an ACKNOWLEDGE per status update)
 * and the events of one turn on a subscription stream. One write per answer or event was 40% of
 * mesos-local's CPU with 10,000 tasks starting (the running-tasks bench).
 */
export function coalesceWrites(socket: net.Socket | null): void {
  if (!socket || corked.has(socket) || socket.destroyed) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
}

/** Thrown by an endpoint: answered with this status, message (text/plain) and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function reply(res: http.ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  coalesceWrites(res.socket);
  const buf = Buffer.from(body);
  res.writeHead(status, { ...(buf.length ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), 'Content-Length': String(buf.length), ...headers });
  res.end(buf);
}

export function replyJson(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  coalesceWrites(res.socket);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
  res.end(buf);
}

export function readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, 'Request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
