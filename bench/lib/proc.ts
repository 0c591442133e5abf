/**
 * Process trees from /proc: their resident memory, and where a benchmark's CPU went (the machine's
 * busy time and the CPU of process trees: a root and every live descendant, with what they
 * reaped, so task processes end up in their launcher's figure and exited PostgreSQL backends in
 * the postmaster's). Linux only; elsewhere the figures are empty.
 */
import fs from 'node:fs';

const HZ = 100; // USER_HZ: the unit of /proc's times on every Linux build

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in ticks */
  ticks: number;
}

function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // fields after comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
      out.set(Number(name), { pid: Number(name), ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function machineBusyTicks(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return user + nice + system + irq + softirq + (steal || 0);
  } catch {
    return 0;
  }
}

/** `root` and its live descendants, stopping at (and leaving out) any pid in `stopAt` other than root. */
function tree(procs: Map<number, Proc>, root: number, stopAt: ReadonlySet<number> = new Set()): Proc[] {
  const kids = new Map<number, Proc[]>();
  for (const p of procs.values()) {
    const list = kids.get(p.ppid) ?? [];
    list.push(p);
    kids.set(p.ppid, list);
  }
  const out: Proc[] = [];
  const first = procs.get(root);
  const stack = first ? [first] : [];
  while (stack.length) {
    const p = stack.pop()!;
    if (p.pid !== root && stopAt.has(p.pid)) continue;
    out.push(p);
    stack.push(...(kids.get(p.pid) ?? []));
  }
  return out;
}

/** Resident set of a process and all its descendants, MiB. */
export function treeRssMiB(pid: number): number {
  let kb = 0;
  for (const p of tree(readProcs(), pid)) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

/** The postmaster on this machine: a `postgres` process whose parent is not one. */
export function postmasterPid(): number | null {
  const procs = readProcs();
  for (const p of procs.values()) if (p.comm === 'postgres' && procs.get(p.ppid)?.comm !== 'postgres') return p.pid;
  return null;
}

export interface CpuSnapshot {
  at: number;
  machine: number;
  groups: Record<string, number>;
}

/** CPU ticks so far of each named tree (a tree stops where another named root begins). */
export function cpuSnapshot(roots: Record<string, number | null | undefined>): CpuSnapshot {
  const procs = readProcs();
  const named = new Set(Object.values(roots).filter((p): p is number => typeof p === 'number'));
  const groups: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) groups[name] = typeof pid === 'number' ? tree(procs, pid, named).reduce((sum, p) => sum + p.ticks, 0) : 0;
  return { at: performance.now(), machine: machineBusyTicks(), groups };
}

export interface CpuUse {
  /** CPU milliseconds of each tree between the two snapshots, and `other` = the machine's rest */
  ms: Record<string, number>;
  machineMs: number;
  wallMs: number;
}

export function cpuSince(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const ms: Record<string, number> = {};
  let named = 0;
  for (const k of Object.keys(after.groups)) {
    ms[k] = ((after.groups[k] - (before.groups[k] ?? 0)) * 1000) / HZ;
    named += ms[k];
  }
  const machineMs = ((after.machine - before.machine) * 1000) / HZ;
  ms.other = Math.max(0, machineMs - named);
  return { ms, machineMs, wallMs: after.at - before.at };
}

/** The first child of `parent` whose command line matches `re` (e.g. mesos-local's launcher). */
export function childPid(parent: number, re: RegExp): number | null {
  for (const p of readProcs().values()) {
    if (p.ppid !== parent) continue;
    try {
      if (re.test(fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) return p.pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
