/**
 * The BackfillStore port in memory, beside the real one (scheduler/adapters/prisma/backfill-store.ts),
 * over the memory store's data (so its transactions put backfills back too).
 */
import { BACKFILL_ITEM_STATES, type BackfillItem, type BackfillItemState } from '../core/backfill-plan';
import { OPEN_BACKFILL_STATES } from '../core/backfill-step';
import type { BackfillRecord, BackfillStore, NewBackfill } from '../ports';

export interface StoredBackfill {
  b: NewBackfill & { id: string; state: BackfillRecord['state']; updatedAt: number };
  items: BackfillItem[];
}

export interface BackfillData {
  backfills: Map<string, StoredBackfill>;
}

const copy = <T>(v: T): T => structuredClone(v);

function record(s: StoredBackfill): BackfillRecord {
  const counts = Object.fromEntries(BACKFILL_ITEM_STATES.map((st) => [st, 0])) as Record<BackfillItemState, number>;
  for (const i of s.items) counts[i.state] += 1;
  return { ...copy(s.b), counts, total: s.items.length };
}

export function memoryBackfills(d: () => BackfillData): BackfillStore {
  let nextId = 1;
  return {
    create: async (b, items) => {
      const id = String(nextId++);
      const s: StoredBackfill = { b: { ...copy(b), id, state: 'running', updatedAt: b.createdAt }, items: copy(items) };
      d().backfills.set(id, s);
      return record(s);
    },
    get: async (id) => {
      const s = d().backfills.get(id);
      return s ? record(s) : null;
    },
    list: async (f) =>
      [...d().backfills.values()]
        .filter((s) => (f.job === undefined || s.b.job === f.job) && (!f.open || OPEN_BACKFILL_STATES.includes(s.b.state)))
        .sort((a, b) => Number(b.b.id) - Number(a.b.id))
        .slice(0, Math.min(1000, Math.max(1, f.limit ?? 100)))
        .map(record),
    items: async (id) => copy(d().backfills.get(id)?.items ?? []),
    setState: async (id, state, from, now) => {
      const s = d().backfills.get(id);
      if (!s || !from.includes(s.b.state)) return false;
      s.b.state = state;
      s.b.updatedAt = now;
      return true;
    },
    updateItems: async (id, changes, now) => {
      const s = d().backfills.get(id);
      if (!s) return;
      for (const c of changes) {
        const i = s.items.find((x) => x.seq === c.seq);
        if (!i) continue;
        i.state = c.state;
        if (c.taskId !== undefined) i.taskId = c.taskId;
        if (c.note !== undefined) i.note = c.note;
      }
      s.b.updatedAt = now;
    },
  };
}
