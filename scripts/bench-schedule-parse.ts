/**
 * Micro-benchmark of what a new leader's worker does per job at load: parse its schedule
 * (leniently, as stored) and take its next due instant. Prints µs per job for UTC schedules and
 * for schedules with a named time zone, and the projected time for 100,000 jobs.
 *
 *   npx tsx scripts/bench-schedule-parse.ts   (from the checkout) [--jobs N] [--rounds R] [--core DIR] [--dump FILE]
 *
 * --core DIR   load scheduler/core from DIR instead (e.g. a copy of an older version, to compare)
 * --dump FILE  also write the results of many parses, skips and zone conversions (DST edges of
 *              many zones, 1900-2060) as JSON, to compare two versions' semantics with `cmp`
 *
 * Not a test: timings depend on the machine. Run it alone (one core busy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const JOBS = Number(arg('--jobs') ?? 20_000);
const ROUNDS = Number(arg('--rounds') ?? 3);
const CORE = path.resolve(arg('--core') ?? 'scheduler/core');
const DUMP = arg('--dump');

type Core = {
  spec: typeof import('../scheduler/core/spec');
  iso: typeof import('../scheduler/core/iso8601');
  schedule: typeof import('../scheduler/core/schedule');
  zones: typeof import('../scheduler/core/zones');
};

async function load(dir: string): Promise<Core> {
  const imp = (f: string) => import(pathToFileURL(path.join(dir, f)).href);
  return { spec: await imp('spec.ts'), iso: await imp('iso8601.ts'), schedule: await imp('schedule.ts'), zones: await imp('zones.ts') };
}

/** mulberry32: the same inputs on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMED = ['America/New_York', 'Europe/Paris', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles', 'US/Eastern', 'PST', 'CST', 'Asia/Tokyo', 'America/Sao_Paulo', 'Europe/Berlin'];
const PERIODS = ['PT1H', 'P1D', 'PT15M', 'PT24H', 'P1W', 'P1M', 'PT5M', 'PT30S'];
const NOW = Date.UTC(2026, 10, 25, 4, 30, 0);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Schedules as a leader finds them stored: starts near now (the worker rewrote them at each launch,
 * `yyyy-MM-ddTHH:mm:ss.SSS±hh:mm`), some in the past, a few far ahead.
 */
function storedJobs(n: number, zoned: boolean): Array<{ schedule: string; zone: string }> {
  const r = rng(zoned ? 2 : 1);
  return Array.from({ length: n }, () => {
    const at = NOW + Math.floor((r() - 0.3) * 30 * 86_400_000 / 60_000) * 60_000;
    const d = new Date(at);
    const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00.000`;
    const period = PERIODS[Math.floor(r() * PERIODS.length)];
    const reps = r() < 0.8 ? 'R' : `R${Math.floor(r() * 100)}`;
    if (!zoned) return { schedule: `${reps}/${stamp}Z/${period}`, zone: '' };
    const zone = NAMED[Math.floor(r() * NAMED.length)];
    return { schedule: `${reps}/${stamp}-05:00/${period}`, zone };
  });
}

function time(core: Core, jobs: Array<{ schedule: string; zone: string }>): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    let due = 0;
    for (const j of jobs) {
      const p = core.spec.parseScheduleSpec(j.schedule, j.zone, NOW, { legacy: true });
      if (!p.ok) throw new Error(`${j.schedule}: ${p.error.message}`);
      due += core.spec.nextDueOf(p.value) ?? 0;
    }
    const ms = performance.now() - t0;
    if (due === 42) console.log('');
    best = Math.min(best, ms);
  }
  return (best * 1000) / jobs.length;
}

/* ------------------------------------------------------------------ the semantic dump */

const DUMP_ZONES = [
  '', 'UTC', 'America/New_York', 'Europe/Paris', 'Europe/London', 'Europe/Dublin', 'Asia/Kolkata', 'Australia/Lord_Howe',
  'Pacific/Chatham', 'America/St_Johns', 'Asia/Tehran', 'Africa/Casablanca', 'America/Sao_Paulo', 'Pacific/Apia',
  'Pacific/Kiritimati', 'Antarctica/Troll', 'America/Havana', 'Asia/Gaza', 'Europe/Moscow', 'America/Caracas',
  'Asia/Pyongyang', 'America/Santiago', 'Asia/Kathmandu', 'EST', 'PST', 'IST', 'GMT+5', 'UTC-03:30', 'Mars/Olympus',
];

function dump(core: Core): unknown[] {
  const { iso, schedule, zones } = core;
  const out: unknown[] = [];
  const r = rng(99);
  for (const zone of DUMP_ZONES) {
    const resolved = zones.resolveZone(zone);
    // zone conversions: every 37 minutes through two DST-heavy years, and random instants 1900-2060
    const instants: number[] = [];
    for (let t = Date.UTC(2021, 0, 1); t < Date.UTC(2023, 0, 1); t += 37 * 60_000 + 1_234) instants.push(t);
    for (let i = 0; i < 3000; i++) instants.push(Math.floor(Date.UTC(1900, 0, 1) + r() * (Date.UTC(2060, 0, 1) - Date.UTC(1900, 0, 1))));
    for (const t of instants) out.push([zone, t, zones.offsetAt(t, resolved), zones.formatInZone(t, resolved)]);
    // wall clocks: every 30 minutes of the days around the usual DST changes, and random ones
    for (const [y, m] of [[2021, 3], [2021, 4], [2021, 9], [2021, 10], [2021, 11], [2022, 3], [2022, 10], [1996, 4], [2011, 12]]) {
      for (let day = 1; day <= 31; day++) {
        for (let h = 0; h < 48; h++) {
          const f = { year: y, month: m, day, hour: Math.floor(h / 2), minute: (h % 2) * 30, second: 0, millisecond: 0 };
          if (day > new Date(Date.UTC(y, m, 0)).getUTCDate()) continue;
          out.push([zone, f, zones.resolveWall(f, resolved), zones.resolveWall(f, resolved, 60), zones.localMillis(f)]);
        }
      }
    }
    // schedules: parse (API and legacy), format, skipForward at several instants
    for (let i = 0; i < 400; i++) {
      const y = 1990 + Math.floor(r() * 60);
      const f = `${y}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}T${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))}`;
      const offs = ['', 'Z', '-05:00', '+05:30', '.250Z'];
      const expr = `${r() < 0.5 ? 'R' : `R${Math.floor(r() * 5)}`}/${f}${offs[Math.floor(r() * offs.length)]}/${PERIODS[Math.floor(r() * PERIODS.length)]}`;
      for (const legacy of [false, true]) {
        const p = iso.parseSchedule(expr, zone, NOW, { legacy });
        if (!p.ok) {
          out.push([zone, expr, legacy, p.error]);
          continue;
        }
        const s = p.value;
        const skips = [s.start - 1, s.start + 1, s.start + 86_400_000 * 40 + 7, NOW].map((now) => {
          const n = schedule.skipForward(s, now);
          return [n, iso.formatSchedule(n)];
        });
        out.push([zone, expr, legacy, s, iso.formatSchedule(s), skips]);
      }
    }
  }
  // odd inputs
  for (const expr of ['R/2021-03-14T02:30:00/P1D', 'R/2021-11-07T01:30:00/PT1H', 'R5/2008-061/PT1M', 'R/2008-W09-6T10:00/P1M', 'R/T05:50Z/PT1H', 'R/0050-02-28T00:00:00Z/P1Y', 'R/2021-02-30T00:00:00Z/P1D', 'R/2021-12-31T24:00:00Z/P1D', 'R/2016-12-31T23:59:60Z/P1D']) {
    for (const zone of ['', 'America/New_York', 'Asia/Kolkata']) out.push([expr, zone, iso.parseSchedule(expr, zone, NOW, { legacy: true })]);
  }
  return out;
}

async function main(): Promise<void> {
  const core = await load(CORE);
  console.log(`core: ${CORE}`);
  const utc = storedJobs(JOBS, false);
  const zoned = storedJobs(JOBS, true);
  // warm up (JIT, Intl formatters, zone lookups)
  time(core, utc.slice(0, 2000));
  time(core, zoned.slice(0, 2000));
  const a = time(core, utc);
  const b = time(core, zoned);
  console.log(`UTC schedules:        ${a.toFixed(1)} µs/job  (100,000 jobs: ${((a * 100_000) / 1e6).toFixed(2)} s)`);
  console.log(`named-zone schedules: ${b.toFixed(1)} µs/job  (100,000 jobs: ${((b * 100_000) / 1e6).toFixed(2)} s)`);
  if (DUMP) {
    const t0 = performance.now();
    fs.writeFileSync(DUMP, JSON.stringify(dump(core)));
    console.log(`dump: ${DUMP} (${(fs.statSync(DUMP).size / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - t0)} ms)`);
  }
}

void main();
