/** The wire text of the call sent once per status update. */
import type { Json } from '../../../proto';

/**
 * The JSON text of an ACKNOWLEDGE as the framework makes it ({type, acknowledge {agent_id, task_id,
 * uuid}}, framework_id added): the same bytes JSON.stringify gives, written without the copy of the
 * call and the generic serialiser (one per status update). Any other shape: null.
 */
export function ackJson(call: Json, frameworkId: string | null): Buffer | null {
  const a = call.acknowledge;
  if (call.type !== 'ACKNOWLEDGE' || call.framework_id || !frameworkId || Object.keys(call).length !== 2 || !a || Object.keys(a).length !== 3) return null;
  const agent = a.agent_id?.value;
  const task = a.task_id?.value;
  if (typeof agent !== 'string' || typeof task !== 'string' || typeof a.uuid !== 'string') return null;
  if (Object.keys(a.agent_id).length !== 1 || Object.keys(a.task_id).length !== 1) return null;
  const q = JSON.stringify;
  return Buffer.from(
    `{"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":${q(agent)}},"task_id":{"value":${q(task)}},"uuid":${q(a.uuid)}},"framework_id":{"value":${q(frameworkId)}}}`,
  );
}
