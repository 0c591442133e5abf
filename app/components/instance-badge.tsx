'use client';
/** Which instance answered and who leads (GET /api/instance), live on `leader` events. */
import type { InstanceInfo } from '@/scheduler/api/ui-types';
import { useApi } from './api';
import { useEventStreamStatus } from './events';

export function InstanceBadge() {
  const { data, error } = useApi<InstanceInfo>('/api/instance', { refreshOn: (e) => e.type === 'leader', throttleMs: 500 });
  const stream = useEventStreamStatus();
  const dot = stream === 'open' ? 'bg-green-500' : stream === 'connecting' ? 'bg-amber-500' : 'bg-red-500';
  const streamText = stream === 'open' ? 'live updates on' : stream === 'connecting' ? 'connecting to live updates…' : 'live updates lost, retrying';
  let text = '…';
  let title = streamText;
  if (error) {
    text = 'instance unknown';
    title = `${error.message}; ${streamText}`;
  } else if (data) {
    text = data.isLeader ? `${data.self} · leader` : `${data.self} · leader ${data.leader ?? 'unknown'}`;
    title = `answered by ${data.self}; leader: ${data.leader ?? 'unknown'}${data.members.length ? `; members: ${data.members.join(', ')}` : ''}; ${streamText}`;
  }
  return (
    <span
      data-testid="instance-badge"
      title={title}
      className="inline-flex max-w-[16rem] items-center gap-1.5 truncate rounded-full border border-gray-200 px-2 py-0.5 font-mono text-xs text-gray-600 dark:border-gray-700 dark:text-gray-300"
    >
      <span aria-hidden="true" className={`h-2 w-2 shrink-0 rounded-full ${dot}`} />
      <span className="sr-only">{streamText}. </span>
      <span className="truncate">{text}</span>
    </span>
  );
}
