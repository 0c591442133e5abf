/**
 * The compiled server (scripts/lib/server-bundle.mjs), which `npm start` and the benchmarks run
 * under plain node: every route of app/ is there under the same path, its handlers answer, and
 * the routes share one copy of the scheduler's modules (one registry), as under tsx.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS module (no types)
import { buildServerBundle } from '../scripts/lib/server-bundle.mjs';
import { pathToFileURL } from 'node:url';
import { ThreadedElector, electorThreadEntry } from '../scheduler/adapters/zookeeper';
import { RouteTable } from './routes';

const ROOT = path.join(import.meta.dirname, '..');
let out: string;

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-bundle-'));
  // inside the checkout's tree would be found by vitest; a temp dir needs node_modules beside it
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
  await buildServerBundle(ROOT, path.join(out, 'b'));
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('the compiled server', () => {
  it('has the entry point and one compiled route per route.ts, matched on the same paths', async () => {
    expect(fs.existsSync(path.join(out, 'b', 'server', 'main.mjs'))).toBe(true);
    const source = RouteTable.scan(path.join(ROOT, 'app'));
    const compiled = RouteTable.scan(path.join(out, 'b', 'app'));
    expect(compiled.size).toBe(source.size);
    const hit = await compiled.match('GET', '/v1/scheduler/job/nightly%20transcode');
    expect(hit?.params).toEqual({ name: 'nightly transcode' });
    expect(hit?.route).toMatch(/app\/v1\/scheduler\/job\/\[name\]\/route\.mjs$/);
  });

  it('answers through a compiled handler', async () => {
    const hit = await RouteTable.scan(path.join(out, 'b', 'app')).match('GET', '/ping');
    const res = await hit!.handler!(new Request('http://x/ping'), { params: Promise.resolve({}) });
    expect(await res.text()).toBe('pong');
  });

  it('shares the scheduler modules between routes (chunks, not a copy per route)', () => {
    const jobs = fs.readFileSync(path.join(out, 'b', 'app', 'v1', 'scheduler', 'jobs', 'route.mjs'), 'utf8');
    const search = fs.readFileSync(path.join(out, 'b', 'app', 'v1', 'scheduler', 'jobs', 'search', 'route.mjs'), 'utf8');
    // each route is a few lines importing the shared chunks
    expect(jobs.length).toBeLessThan(4000);
    expect(search.length).toBeLessThan(4000);
    expect(jobs).toMatch(/from "\.\.\/\.\.\/\.\.\/\.\.\/chunk-/);
  });

  it('has the ZooKeeper thread, found from the chunk the elector was put in, and it runs under plain node', async () => {
    const chunk = fs.readdirSync(path.join(out, 'b')).find((f) => /^chunk-.*\.mjs$/.test(f))!;
    const entry = electorThreadEntry(pathToFileURL(path.join(out, 'b', chunk)).href);
    expect(entry).toMatchObject({ code: path.join(out, 'b', 'scheduler', 'adapters', 'zookeeper', 'elector-thread.mjs'), evaluate: false });
    // nothing listens on port 1: the thread starts, answers, never leads
    const e = new ThreadedElector(entry!, { servers: '127.0.0.1:1', path: '/x', id: 'bundled:1' });
    await e.start();
    await e.sync();
    expect(e.isLeader()).toBe(false);
    await e.stop();
  });
});
