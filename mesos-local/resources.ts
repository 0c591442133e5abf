/**
 * Resource arithmetic for mesos-local: scalars (cpus, mem, disk, gpus, …) and ranges (ports).
 * Values are rounded to 3 decimals after every step, as Mesos does with its fixed-point scalars.
 * Only unreserved ("*") resources exist here; allocation_info.role is carried on offers and tasks.
 */
import type { Json } from '../proto';

export type Range = [number, number];
export interface Res {
  scalars: Record<string, number>;
  ranges: Record<string, Range[]>;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function emptyRes(): Res {
  return { scalars: {}, ranges: {} };
}

export function cloneRes(r: Res): Res {
  const ranges: Record<string, Range[]> = {};
  for (const [k, v] of Object.entries(r.ranges)) ranges[k] = v.map(([a, b]) => [a, b] as Range);
  return { scalars: { ...r.scalars }, ranges };
}

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function subtractRanges(from: Range[], minus: Range[]): Range[] {
  let cur = from.map(([a, b]) => [a, b] as Range);
  for (const [ma, mb] of minus) {
    const next: Range[] = [];
    for (const [a, b] of cur) {
      if (mb < a || ma > b) next.push([a, b]);
      else {
        if (ma > a) next.push([a, ma - 1]);
        if (mb < b) next.push([mb + 1, b]);
      }
    }
    cur = next;
  }
  return normalize(cur);
}

function rangesContain(outer: Range[], inner: Range[]): boolean {
  return inner.every(([a, b]) => outer.some(([oa, ob]) => oa <= a && b <= ob));
}

export function addRes(a: Res, b: Res): Res {
  const out = cloneRes(a);
  for (const [k, v] of Object.entries(b.scalars)) out.scalars[k] = round((out.scalars[k] ?? 0) + v);
  for (const [k, v] of Object.entries(b.ranges)) out.ranges[k] = normalize([...(out.ranges[k] ?? []), ...v]);
  return out;
}

/** a - b, never below zero. */
export function subRes(a: Res, b: Res): Res {
  const out = cloneRes(a);
  for (const [k, v] of Object.entries(b.scalars)) {
    const left = round((out.scalars[k] ?? 0) - v);
    if (left > 0) out.scalars[k] = left;
    else delete out.scalars[k];
  }
  for (const [k, v] of Object.entries(b.ranges)) {
    const left = subtractRanges(out.ranges[k] ?? [], v);
    if (left.length) out.ranges[k] = left;
    else delete out.ranges[k];
  }
  return out;
}

/** True when `outer` contains all of `inner`. */
export function containsRes(outer: Res, inner: Res): boolean {
  for (const [k, v] of Object.entries(inner.scalars)) if (v > 0 && round((outer.scalars[k] ?? 0) - v) < 0) return false;
  for (const [k, v] of Object.entries(inner.ranges)) if (!rangesContain(outer.ranges[k] ?? [], v)) return false;
  return true;
}

export function isEmptyRes(r: Res): boolean {
  return Object.values(r.scalars).every((v) => v <= 0) && Object.values(r.ranges).every((v) => v.length === 0);
}

/** Mesos's default --min_allocatable_resources: cpus:0.01 | mem:32. */
export function allocatable(r: Res): boolean {
  return (r.scalars.cpus ?? 0) >= 0.01 || (r.scalars.mem ?? 0) >= 32;
}

/** Parses repeated Resource (Mesos JSON shape) into a Res, or returns the reason it cannot. */
export function resFromProto(resources: Json[] | undefined): Res | { error: string } {
  const out = emptyRes();
  for (const r of resources ?? []) {
    const name = r.name as string;
    const type = r.type ?? 'SCALAR';
    if (r.reservations?.length || r.reservation || (r.role && r.role !== '*')) {
      return { error: `Reserved resources are not supported by mesos-local (resource '${name}')` };
    }
    if (r.revocable || r.shared) return { error: `Revocable or shared resources are not offered (resource '${name}')` };
    if (type === 'SCALAR') {
      const v = Number(r.scalar?.value);
      if (!Number.isFinite(v) || v < 0) return { error: `Invalid scalar resource '${name}'` };
      if (v > 0) out.scalars[name] = round((out.scalars[name] ?? 0) + v);
    } else if (type === 'RANGES') {
      const rs: Range[] = (r.ranges?.range ?? []).map((x: Json) => [Number(x.begin), Number(x.end)] as Range);
      if (rs.some(([a, b]) => !(a <= b))) return { error: `Invalid ranges resource '${name}'` };
      out.ranges[name] = normalize([...(out.ranges[name] ?? []), ...rs]);
    } else {
      return { error: `Unsupported resource type ${type} for '${name}'` };
    }
  }
  return out;
}

/** Res → repeated Resource in Mesos JSON, with allocation_info when a role is given. */
export function resToProto(r: Res, role?: string): Json[] {
  const alloc = role ? { allocation_info: { role } } : {};
  const out: Json[] = [];
  for (const [name, value] of Object.entries(r.scalars)) {
    if (value > 0) out.push({ name, type: 'SCALAR', scalar: { value }, role: '*', ...alloc });
  }
  for (const [name, ranges] of Object.entries(r.ranges)) {
    if (ranges.length) {
      out.push({ name, type: 'RANGES', ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) }, role: '*', ...alloc });
    }
  }
  return out;
}

/** The /master/state shape: {"cpus":2,"mem":1024,"disk":0,"gpus":0,"ports":"[31000-32000]"}. */
export function resToStateJson(r: Res): Json {
  const out: Json = { disk: 0, mem: 0, gpus: 0, cpus: 0 };
  for (const [k, v] of Object.entries(r.scalars)) out[k] = v;
  for (const [k, v] of Object.entries(r.ranges)) {
    if (v.length) out[k] = `[${v.map(([a, b]) => `${a}-${b}`).join(', ')}]`;
  }
  return out;
}

/** Dominant share of `used` against the cluster `total` (DRF over cpus, mem, disk and gpus). */
export function dominantShare(used: Res, total: Res): number {
  let share = 0;
  for (const k of ['cpus', 'mem', 'disk', 'gpus']) {
    const t = total.scalars[k] ?? 0;
    if (t > 0) share = Math.max(share, (used.scalars[k] ?? 0) / t);
  }
  return share;
}
