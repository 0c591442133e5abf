/**
 * The master/agent HTTP reader against a real HTTP server on a random port: what it asks for
 * (path, query, Accept, credentials), what it answers, and how it fails.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MasterHttpClient } from './master-http';

interface Seen {
  url: string;
  accept: string | undefined;
  authorization: string | undefined;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
/** What the server answers for a path (without the query); unknown paths are a 404. */
const answers = new Map<string, { status: number; body: unknown } | 'hang'>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', accept: req.headers.accept, authorization: req.headers.authorization });
    const a = answers.get((req.url ?? '').split('?')[0]);
    if (a === 'hang') return; // never answers
    res.writeHead(a?.status ?? 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a?.body ?? { error: 'no such path' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const savedCredentials = process.env.MESOS_CREDENTIALS;
afterEach(() => {
  seen.length = 0;
  answers.clear();
  if (savedCredentials === undefined) delete process.env.MESOS_CREDENTIALS;
  else process.env.MESOS_CREDENTIALS = savedCredentials;
});

describe('MasterHttpClient', () => {
  it("reads the master's /master/state and an agent's /state as JSON", async () => {
    answers.set('/master/state', { status: 200, body: { slaves: [{ id: 'a1', hostname: 'h1' }] } });
    answers.set('/state', { status: 200, body: { frameworks: [{ id: 'f1', executors: [{ id: 'e1', directory: '/sandbox/e1' }] }] } });
    const c = new MasterHttpClient({ credentials: null });
    expect(await c.masterState(base)).toEqual({ slaves: [{ id: 'a1', hostname: 'h1' }] });
    expect(await c.agentState(base)).toEqual({ frameworks: [{ id: 'f1', executors: [{ id: 'e1', directory: '/sandbox/e1' }] }] });
    expect(seen.map((s) => [s.url, s.accept, s.authorization])).toEqual([
      ['/master/state', 'application/json', undefined],
      ['/state', 'application/json', undefined],
    ]);
  });

  // (MESOS_CREDENTIALS is read by scheduler/config.ts, which passes the credentials in)
  it.each([
    { case: 'given credentials', options: { credentials: { principal: 'ops', secret: 's3:cret' } }, header: `Basic ${Buffer.from('ops:s3:cret').toString('base64')}` },
    { case: 'no header without credentials', options: {}, header: undefined },
    { case: 'no header with credentials null', options: { credentials: null }, header: undefined },
  ])('sends basic auth: $case', async ({ options, header }) => {
    answers.set('/master/state', { status: 200, body: {} });
    await new MasterHttpClient(options).masterState(base);
    expect(seen[0].authorization).toBe(header);
  });

  it('reads a file from an offset, with or without a length; a missing file is null', async () => {
    answers.set('/files/read', { status: 200, body: { data: 'hello', offset: 7 } });
    const c = new MasterHttpClient({ credentials: null });
    expect(await c.readFile(base, '/var/sandbox dir/stdout', 7, 5)).toEqual({ data: 'hello', offset: 7 });
    await c.readFile(base, '/var/sandbox dir/stdout', -1);
    expect(seen.map((s) => s.url)).toEqual([
      '/files/read?path=%2Fvar%2Fsandbox%20dir%2Fstdout&offset=7&length=5',
      '/files/read?path=%2Fvar%2Fsandbox%20dir%2Fstdout&offset=-1',
    ]);
    answers.set('/files/read', { status: 404, body: {} });
    expect(await c.readFile(base, '/gone/stdout', 0)).toBeNull();
  });

  it('fails naming the status and the URL, or the timeout', async () => {
    answers.set('/master/state', { status: 503, body: {} });
    answers.set('/files/read', { status: 500, body: {} });
    const c = new MasterHttpClient({ credentials: null, timeoutMs: 300 });
    await expect(c.masterState(base)).rejects.toThrow(`HTTP 503 from ${base}/master/state`);
    await expect(c.readFile(base, '/x', 0)).rejects.toThrow(`HTTP 500 from ${base}/files/read?path=%2Fx&offset=0`);
    answers.set('/state', 'hang');
    await expect(c.agentState(base)).rejects.toThrow(/timeout|aborted/i);
  });
});
