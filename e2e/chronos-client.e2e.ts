/**
 * A Chronos client pointed at Sisyphus, over plain HTTP against the built app (the server (`server/main.ts`)):
 * the calls chronos-python and chronos-sync.rb make — list, add (POST, and PUT on 2.x paths),
 * update, run, stats, graph, summary, search, metrics, delete — with the status codes, bodies
 * and byte formats Chronos answers.
 */
import { describe, expect, it } from 'vitest';
import { appUrl, waitFor } from './harness';

const base = () => appUrl();

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base() + path, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}

describe('a Chronos client sees what it would see from Chronos', () => {
  it('pings', async () => {
    const r = await call('GET', '/ping');
    expect(r.status).toBe(200);
    expect(r.text.trim()).toBe('pong');
  });

  it('adds, updates (PUT on the 2.x path), reads back Chronos JSON, runs, and deletes', async () => {
    const add = await call('POST', '/v1/scheduler/iso8601', {
      name: 'cc-parent',
      command: 'echo chronos-client',
      schedule: 'R/2100-01-01T00:00:00Z/P1D',
      owner: 'ops@example.com',
    });
    expect(add.status).toBe(204);
    expect(add.text).toBe('');
    expect(add.headers.get('access-control-allow-origin')).toBe('*');

    // chronos-python's update sends PUT; Chronos 2.x paths have no /v1
    const update = await call('PUT', '/scheduler/iso8601', {
      name: 'cc-parent',
      command: 'echo chronos-client',
      schedule: 'R/2100-01-01T00:00:00Z/P1D',
      owner: 'ops@example.com',
      description: 'updated by PUT',
    });
    expect(update.status).toBe(204);

    const dep = await call('POST', '/v1/scheduler/dependency', { name: 'cc-child', command: 'true', parents: ['cc-parent'] });
    expect(dep.status).toBe(204);

    const got = await call('GET', '/v1/scheduler/job/cc-parent');
    expect(got.status).toBe(200);
    // Chronos's key order and doubles
    expect(got.text.startsWith('{"name":"cc-parent","command":"echo chronos-client","shell":true,"executor":""')).toBe(true);
    expect(got.text).toContain('"cpus":0.1,"disk":256.0,"mem":128.0');
    expect(got.json().description).toBe('updated by PUT');

    const list = await call('GET', '/v1/scheduler/jobs');
    expect(list.status).toBe(200);
    expect(list.json().map((j: { name: string }) => j.name)).toEqual(expect.arrayContaining(['cc-parent', 'cc-child']));

    const run = await call('PUT', '/v1/scheduler/job/cc-parent?arguments=now');
    expect(run.status).toBe(204);
    await waitFor('parent and child succeeded', async () => {
      const [p, c] = await Promise.all([call('GET', '/v1/scheduler/job/cc-parent'), call('GET', '/v1/scheduler/job/cc-child')]);
      return p.json().successCount === 1 && c.json().successCount === 1;
    }, 60_000);

    const stat = await call('GET', '/v1/scheduler/job/stat/cc-parent');
    expect(stat.status).toBe(200);
    const s = stat.json();
    expect(Object.keys(s.histogram)).toEqual(
      expect.arrayContaining(['75thPercentile', '95thPercentile', '98thPercentile', '99thPercentile', 'median', 'mean', 'count']),
    );
    expect(s.histogram.count).toBe(1);
    expect(s.taskStatHistory[0]).toMatchObject({ jobName: 'cc-parent', status: 'Success' });
    expect(s.taskStatHistory[0].startTime).toMatch(/^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d$/);

    const pct = await call('GET', '/v1/scheduler/stats/99thPercentile');
    expect(pct.json()).toEqual(expect.arrayContaining([expect.objectContaining({ jobNameLabel: 'cc-parent' })]));

    const summary = await call('GET', '/v1/scheduler/jobs/summary');
    const row = summary.json().jobs.find((j: { name: string }) => j.name === 'cc-child');
    expect(row).toEqual({ name: 'cc-child', status: 'success', state: 'idle', schedule: '', parents: ['cc-parent'], disabled: false });

    const search = await call('GET', '/v1/scheduler/jobs/search?name=CC-PAR');
    expect(search.json().map((j: { name: string }) => j.name)).toEqual(['cc-parent']);

    const dot = await call('GET', '/v1/scheduler/graph/dot');
    expect(dot.headers.get('content-type')).toMatch(/text\/plain/);
    expect(dot.text).toMatch(/^digraph G \{\n/);
    expect(dot.text).toMatch(/ -> /);
    const csv = await call('GET', '/v1/scheduler/graph/csv');
    expect(csv.text).toContain('node,cc-parent,success,idle');
    expect(csv.text).toContain('link,cc-parent,cc-child');

    const parentSchedule = (await call('GET', '/v1/scheduler/job/cc-parent')).json().schedule;
    expect(parentSchedule).toBe('R/2100-01-01T00:00:00.000Z/P1D'); // rewritten at launch, as Chronos does
    const del = await call('DELETE', '/v1/scheduler/job/cc-parent');
    expect(del.status).toBe(204);
    // deleting a scheduled parent turns its dependent child into a scheduled job (Chronos #660)
    const child = (await call('GET', '/v1/scheduler/job/cc-child')).json();
    expect(child.parents).toBeUndefined();
    expect(child.schedule).toBe(parentSchedule);
  });

  it.each([
    ['unknown job', 'GET', '/v1/scheduler/job/cc-nope', undefined, "Job 'cc-nope' not found"],
    ['bad schedule', 'POST', '/v1/scheduler/iso8601', { name: 'cc-bad', command: 'x', schedule: 'FOO' }, "Cannot parse schedule 'FOO' (wtf bro)"],
    ['unknown parent', 'POST', '/v1/scheduler/dependency', { name: 'cc-orphan', command: 'x', parents: ['cc-missing'] }, 'cc-missing'],
    ['malformed JSON', 'POST', '/v1/scheduler/iso8601', '{"name": ', 'JSON'],
  ])('answers %s with 400 and Chronos error JSON, storing nothing', async (_name, method, path, body, message) => {
    const r = await call(method, path, body);
    expect(r.status).toBe(400);
    const j = r.json();
    expect(j.status).toBe('Bad Request');
    expect(j.message).toContain(message);
    expect(j.message).not.toMatch(/\n\s+at /); // no stack trace
    const names = (await call('GET', '/v1/scheduler/jobs')).json().map((x: { name: string }) => x.name);
    expect(names).not.toContain('cc-bad');
    expect(names).not.toContain('cc-orphan');
  });

  it('names the leader and serves Chronos metrics JSON', async () => {
    const leader = await call('GET', '/v1/scheduler/leader');
    expect(leader.json().leader).toMatch(/^.+:\d+$/);
    const metrics = await call('GET', '/metrics', undefined, { Accept: 'application/json' });
    expect(metrics.status).toBe(200);
    expect(Object.keys(metrics.json())).toEqual(expect.arrayContaining(['version', 'gauges', 'counters', 'histograms', 'meters', 'timers']));
  });
});
