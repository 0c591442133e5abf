/**
 * Reading and checking a scheduler Call as Mesos does: the body decoded by Content-Type (protobuf
 * or JSON, numeric enums and missing required fields refused), then `validateCall`'s checks, and
 * the event encoding chosen from Accept for SUBSCRIBE.
 */
import protobuf from 'protobufjs';
import { decode, fromJson, findMissingRequired, CONTENT_TYPE, type Encoding, type Json } from '../proto';
import { HttpError } from './http-io';

/** Mesos answers 400 to a JSON enum given as a number (stout protobuf.hpp); protobufjs would accept it. */
export function findNumericEnum(type: protobuf.Type, obj: Json, prefix = ''): string | null {
  const path = numericEnumPath(type, obj);
  return path ? `Not expecting a JSON number for field '${prefix}${path}'` : null;
}

/** The path of the first enum given as a number, or null; built only when there is one (every call is checked). */
function numericEnumPath(type: protobuf.Type, obj: Json): string | null {
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const field = type.fields[key];
    if (!field || value === null || value === undefined) continue;
    field.resolve();
    const rt = field.resolvedType;
    if (rt instanceof protobuf.Enum) {
      if (typeof value === 'number' || (field.repeated && Array.isArray(value) && value.some((v) => typeof v === 'number'))) return key;
    } else if (rt instanceof protobuf.Type) {
      const values: unknown[] = field.repeated && Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
        const inner = numericEnumPath(rt, v as Json);
        if (inner) return `${key}.${inner}`;
      }
    }
  }
  return null;
}

/** Picks the event encoding from Accept for SUBSCRIBE: JSON if acceptable, else protobuf, else null (406). */
export function chooseEncoding(accept: string | undefined): Encoding | null {
  if (!accept || !accept.trim()) return 'json';
  const types = accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().split(';').map((s) => s.trim());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((t) => t.q > 0);
  const ok = (mt: string) => types.some((t) => t.type === mt || t.type === '*/*' || t.type === `${mt.split('/')[0]}/*`);
  if (ok(CONTENT_TYPE.json)) return 'json';
  if (ok(CONTENT_TYPE.protobuf)) return 'protobuf';
  return null;
}

/**
 * The body as a Call, by Content-Type (known to be present); a body that cannot be one is a 400
 * (counted in `counters.invalid_calls`), another Content-Type a 415.
 */
export function parseCall(callType: protobuf.Type, contentType: string, body: Buffer, counters: { invalid_calls: number }): Json {
  let call: Json;
  if (contentType === CONTENT_TYPE.protobuf) {
    try {
      call = decode(callType, body);
      if (findMissingRequired(callType, call).length) throw new Error('missing required fields');
    } catch {
      counters.invalid_calls++;
      throw new HttpError(400, 'Failed to parse body into Call protobuf');
    }
  } else if (contentType === CONTENT_TYPE.json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      counters.invalid_calls++;
      throw new HttpError(400, `Failed to parse body into JSON: ${(e as Error).message}`);
    }
    const ack = plainAcknowledge(parsed);
    if (ack) return ack;
    const numeric = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? findNumericEnum(callType, parsed as Json) : null;
    if (numeric) {
      counters.invalid_calls++;
      throw new HttpError(400, `Failed to convert JSON into Call protobuf: ${numeric}`);
    }
    const r = fromJson(callType, parsed);
    if (!r.ok) {
      counters.invalid_calls++;
      throw new HttpError(400, r.error.startsWith('Failed') ? r.error : `Failed to convert JSON into Call protobuf: ${r.error}`);
    }
    call = r.value;
    const missing = findMissingRequired(callType, call);
    if (missing.length) {
      counters.invalid_calls++;
      throw new HttpError(400, `Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(', ')}`);
    }
  } else {
    throw new HttpError(415, `Expecting 'Content-Type' of ${CONTENT_TYPE.json} or ${CONTENT_TYPE.protobuf}`);
  }
  return call;
}

const isValue = (v: unknown): v is { value: string } => !!v && typeof v === 'object' && typeof (v as Json).value === 'string' && Object.keys(v).length === 1;
/** 16 bytes in canonical base64: what the uuid of an update is, and what protobuf's round trip leaves unchanged. */
const UUID_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/**
 * An ACKNOWLEDGE in its one plain JSON form (type, framework_id, acknowledge {agent_id, task_id,
 * uuid}, strings only, nothing else), as it is: what the protobuf round trip would make of it, so
 * the thousands a second skip that round trip. Anything else: null (the full path decides).
 */
function plainAcknowledge(parsed: unknown): Json | null {
  if (!parsed || typeof parsed !== 'object') return null;
  const c = parsed as Json;
  if (c.type !== 'ACKNOWLEDGE' || !isValue(c.framework_id) || Object.keys(c).length !== 3) return null;
  const a = c.acknowledge;
  if (!a || typeof a !== 'object' || Object.keys(a).length !== 3) return null;
  if (!isValue(a.agent_id) || !isValue(a.task_id) || typeof a.uuid !== 'string' || !UUID_BASE64.test(a.uuid)) return null;
  return c;
}

/** Why a parsed Call is invalid (the message after "Failed to validate scheduler::Call: "), or null. */
export function validateCall(call: Json, principal: string | null): string | null {
  if (!call.type || call.type === 'UNKNOWN') return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    const info = call.subscribe.framework_info;
    if ((info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined)) return "'framework_id' differs from 'subscribe.framework_info.id'";
    if (principal && info.principal && principal !== info.principal) {
      return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
    }
    return null;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const needs: Record<string, string> = {
    ACCEPT: 'accept',
    DECLINE: 'decline',
    KILL: 'kill',
    SHUTDOWN: 'shutdown',
    ACKNOWLEDGE: 'acknowledge',
    RECONCILE: 'reconcile',
    MESSAGE: 'message',
    REQUEST: 'request',
    UPDATE_FRAMEWORK: 'update_framework',
  };
  const field = needs[call.type];
  if (field && !call[field]) return `Expecting '${field}' to be present`;
  if (call.type === 'ACKNOWLEDGE' && Buffer.from(call.acknowledge.uuid ?? '', 'base64').length !== 16) {
    return 'Failed to parse UUID: the uuid must be 16 bytes';
  }
  return null;
}
