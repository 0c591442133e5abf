/**
 * Conversion between Mesos JSON (protobuf-shaped, snake_case) and the plain values the core uses
 * (scheduler/core/types.ts). The matcher never sees protobuf shapes; every resource keeps its
 * original JSON in `raw` so a TaskInfo can copy it verbatim (allocation_info, reservations).
 */
import type { Json } from '../../../proto';
import type { Attribute, Offer, OfferResource, Range } from '../../core/types';
import type { TaskUpdate } from '../../ports';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

function ranges(v: Json | undefined): Range[] {
  const list = (v?.range ?? []) as Json[];
  return list.map((r) => ({ begin: num(r.begin), end: num(r.end) }));
}

function reservationRole(r: Json): string | null {
  const list = (r.reservations ?? []) as Json[];
  // Refined reservations are a stack; the last is the most refined role.
  for (let i = list.length - 1; i >= 0; i--) if (list[i]?.role) return String(list[i].role);
  return null;
}

/** Mesos JSON Resource → OfferResource (null for a TEXT resource, which no task can use). */
export function toOfferResource(r: Json): OfferResource | null {
  const type = (r.type ?? (r.ranges ? 'RANGES' : r.set ? 'SET' : 'SCALAR')) as string;
  if (type !== 'SCALAR' && type !== 'RANGES' && type !== 'SET') return null;
  const resRole = reservationRole(r);
  const legacyRole = typeof r.role === 'string' && r.role !== '' ? r.role : null;
  const role = (r.allocation_info?.role as string | undefined) ?? resRole ?? legacyRole ?? '*';
  const reserved =
    (Array.isArray(r.reservations) && r.reservations.length > 0) || !!r.reservation || (legacyRole !== null && legacyRole !== '*');
  const out: OfferResource = { name: String(r.name), type, role, reserved, raw: r };
  if (type === 'SCALAR') out.scalar = num(r.scalar?.value);
  if (type === 'RANGES') out.ranges = ranges(r.ranges);
  if (type === 'SET') out.set = ((r.set?.item ?? []) as unknown[]).map(String);
  return out;
}

export function toAttribute(a: Json): Attribute {
  const type = (a.type ?? (a.text ? 'TEXT' : a.ranges ? 'RANGES' : a.set ? 'SET' : 'SCALAR')) as Attribute['type'];
  const out: Attribute = { name: String(a.name), type };
  if (type === 'SCALAR') out.scalar = num(a.scalar?.value);
  if (type === 'RANGES') out.ranges = ranges(a.ranges);
  if (type === 'SET') out.set = ((a.set?.item ?? []) as unknown[]).map(String);
  if (type === 'TEXT') out.text = String(a.text?.value ?? '');
  return out;
}

/** Mesos JSON Offer → core Offer. */
export function toOffer(o: Json): Offer {
  const offer: Offer = {
    id: String(o.id?.value),
    agentId: String(o.agent_id?.value),
    hostname: String(o.hostname ?? ''),
    resources: ((o.resources ?? []) as Json[]).map(toOfferResource).filter((r): r is OfferResource => r !== null),
    attributes: ((o.attributes ?? []) as Json[]).map(toAttribute),
  };
  if (o.allocation_info?.role) offer.allocationRole = String(o.allocation_info.role);
  return offer;
}

/** Mesos JSON TaskStatus → TaskUpdate. */
export function toTaskUpdate(s: Json): TaskUpdate {
  const u: TaskUpdate = {
    taskId: String(s.task_id?.value),
    state: String(s.state),
    message: typeof s.message === 'string' ? s.message : null,
    reason: typeof s.reason === 'string' ? s.reason : null,
    agentId: s.agent_id?.value ?? null,
    executorId: s.executor_id?.value ?? null,
    timestamp: s.timestamp === undefined || s.timestamp === null ? null : Math.round(num(s.timestamp) * 1000),
    source: typeof s.source === 'string' ? s.source : null,
    healthy: typeof s.healthy === 'boolean' ? s.healthy : null,
  };
  if (typeof s.uuid === 'string' && s.uuid.length > 0) u.uuid = s.uuid;
  if (typeof s.data === 'string' && s.data.length > 0) u.data = s.data;
  return u;
}

/** Mesos TaskState names that end a task. */
export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_LOST',
]);
