/**
 * Real receivers for notification tests: an SMTP server (smtp-server) that parses every mail it
 * accepts (mailparser), and an HTTP server that records every POST (Slack, Mattermost, Sentry,
 * webhook). Both on free ports; tests await what arrives instead of sleeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
}

/** Resolves when `pred` holds over the list (checked on every arrival), else rejects after timeoutMs. */
class Inbox<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];
  push(x: T): void {
    this.items.push(x);
    for (const w of this.waiters) w();
  }
  until(pred: (items: T[]) => boolean, timeoutMs = 20_000, what = 'messages'): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred(this.items)) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(this.items);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${this.items.length})`));
      }, timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }
}

export interface SmtpReceiver {
  port: number;
  mails: Inbox<ReceivedMail>;
  /** Refuse every mail with this SMTP error (null: accept). */
  refuse: string | null;
  close(): Promise<void>;
}

export async function startSmtpReceiver(port = 0): Promise<SmtpReceiver> {
  const mails = new Inbox<ReceivedMail>();
  const receiver: SmtpReceiver = { port: 0, mails, refuse: null, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      if (receiver.refuse) {
        stream.resume();
        stream.on('end', () => done(Object.assign(new Error(receiver.refuse!), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((m) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            messageId: m.messageId ?? '',
            headers: m.headers,
          });
          done();
        })
        .catch((e: Error) => done(e));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

export interface ReceivedPost {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  posts: Inbox<ReceivedPost>;
  /** Answer with this status (default 200). */
  status: number;
  /** Hold every request unanswered (a server that hangs mid-send); recorded in `held`. */
  stall: boolean;
  /** Requests held while `stall` was set; `answer()` answers them all with `status`. */
  held: Inbox<ReceivedPost>;
  answer(): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const posts = new Inbox<ReceivedPost>();
  const waiting: Array<() => void> = [];
  const receiver: HttpReceiver = {
    url: '',
    posts,
    status: 200,
    stall: false,
    held: new Inbox<ReceivedPost>(),
    answer: () => waiting.splice(0).forEach((f) => f()),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.stall) {
        receiver.held.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        waiting.push(() => res.writeHead(receiver.status).end());
        return;
      }
      const status = receiver.status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'refused by the test');
      if (status < 300) posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
