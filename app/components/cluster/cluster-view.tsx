'use client';
/**
 * /cluster: the Mesos master this scheduler talks to (and whether it answers), agents with used
 * and total resources, utilisation over time, offers, frameworks, and the scheduler instances
 * (who leads). Live: refetched on offer, framework, leader and run events, and once a minute for
 * new utilisation samples.
 */
import { useMemo, useState } from 'react';
import type { ClusterState, UiEvent } from '@/scheduler/api/ui-types';
import { useApi } from '@/app/components/api';
import { Badge } from '@/app/components/badges';
import { EmptyState } from '@/app/components/empty-state';
import { useDisplayZone, useFormatCount } from '@/app/components/time';
import { ErrorMessage, Loading, PageHeader, Section, Stat } from '@/app/components/ui';
import { formatAmount, ResourceBar } from './resource-bar';
import dynamic from 'next/dynamic';

// recharts (~390 kB of JavaScript) loads after the agents show, not before the page's first render
const UtilizationChart = dynamic(() => import('./utilization-chart').then((m) => m.UtilizationChart), {
  ssr: false,
  loading: () => <div className="h-60" aria-hidden="true" />,
});

const isClusterEvent = (e: UiEvent) => e.type === 'offers' || e.type === 'framework' || e.type === 'leader' || e.type === 'run';

/** This instance's framework first, then the others as the master lists them. */
function ownFirst<T extends { id: string }>(frameworks: T[], own: string | null): T[] {
  return own === null ? frameworks : [...frameworks.filter((f) => f.id === own), ...frameworks.filter((f) => f.id !== own)];
}

export function ClusterView() {
  const { data, error, loading, refresh } = useApi<ClusterState>('/api/cluster', { refreshOn: isClusterEvent, throttleMs: 2000, pollMs: 60_000 });
  const zone = useDisplayZone();
  const formatCount = useFormatCount();
  const [agentQuery, setAgentQuery] = useState('');

  const totals = useMemo(() => {
    const t = { cpus: [0, 0], mem: [0, 0], disk: [0, 0] } as Record<'cpus' | 'mem' | 'disk', [number, number]>;
    for (const a of data?.agents ?? []) {
      for (const k of ['cpus', 'mem', 'disk'] as const) {
        t[k][0] += a.used[k];
        t[k][1] += a.resources[k];
      }
    }
    return t;
  }, [data]);

  const agents = useMemo(() => {
    const q = agentQuery.trim().toLowerCase();
    const list = data?.agents ?? [];
    const shown = q
      ? list.filter(
          (a) =>
            a.hostname.toLowerCase().includes(q) ||
            a.id.toLowerCase().includes(q) ||
            Object.entries(a.attributes).some(([k, v]) => `${k}:${v}`.toLowerCase().includes(q)),
        )
      : list;
    return [...shown].sort((a, b) => a.hostname.localeCompare(b.hostname));
  }, [data, agentQuery]);

  if (loading && !data) return <Loading label="Loading the cluster…" />;

  return (
    <div>
      <PageHeader
        title="Cluster"
        subtitle="The Mesos master this scheduler uses, its agents and their resources, and the scheduler instances."
        actions={
          <button type="button" className="btn btn-sm" onClick={refresh}>
            Refresh
          </button>
        }
      />

      {error ? <ErrorMessage className="mb-4" error={`Could not load the cluster state: ${error.message}`} retry={refresh} /> : null}

      {data ? (
        <>
          <section aria-label="Master" className="card mb-4">
            <div className="flex flex-wrap items-center gap-3">
              <h2 className="text-sm font-semibold tracking-wide text-gray-600 uppercase dark:text-gray-300">Mesos master</h2>
              {data.master ? (
                <a className="link font-mono text-sm" href={data.master} target="_blank" rel="noreferrer" data-testid="master-url">
                  {data.master}
                </a>
              ) : (
                <span className="muted text-sm">not known yet</span>
              )}
              {data.reachable ? <Badge tone="green">reachable</Badge> : <Badge tone="red">unreachable</Badge>}
            </div>
            {!data.reachable ? (
              <ErrorMessage
                className="mt-3"
                error={`The master does not answer${data.error ? `: ${data.error}` : '.'} Jobs stay queued until it is back; check MESOS_MASTER and that the master is running.`}
                retry={refresh}
              />
            ) : null}
          </section>

          <div className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-4">
            <Stat label="Agents" value={`${data.agents.filter((a) => a.active).length} / ${data.agents.length}`} />
            <Stat label="Offers received" value={formatCount(data.offers.received)} />
            <Stat label="Offers used" value={formatCount(data.offers.used)} tone="text-green-700 dark:text-green-400" />
            <Stat label="Offers declined" value={formatCount(data.offers.declined)} />
          </div>

          <div className="mb-4 grid gap-4 lg:grid-cols-3">
            <Section title="Resources in use" className="lg:col-span-1">
              {data.agents.length === 0 ? (
                <p className="muted text-sm">No agent has registered with the master.</p>
              ) : (
                <div className="space-y-3">
                  <ResourceBar label="CPUs" used={totals.cpus[0]} total={totals.cpus[1]} unit="cpus" />
                  <ResourceBar label="Memory" used={totals.mem[0]} total={totals.mem[1]} unit="mem" />
                  <ResourceBar label="Disk" used={totals.disk[0]} total={totals.disk[1]} unit="disk" />
                </div>
              )}
            </Section>
            <Section title="Utilisation over time" className="lg:col-span-2">
              {data.history.length === 0 ? (
                <p className="muted py-8 text-center text-sm">
                  No samples yet. This instance records the cluster&apos;s CPU and memory use about once a minute; the chart fills in
                  as it runs.
                </p>
              ) : (
                <UtilizationChart history={data.history} zone={zone} />
              )}
            </Section>
          </div>

          <Section
            title={`Agents (${data.agents.length})`}
            className="mb-4"
            actions={
              data.agents.length > 5 ? (
                <input
                  className="input w-56"
                  placeholder="Filter by host, id, attribute"
                  aria-label="Filter agents"
                  value={agentQuery}
                  onChange={(e) => setAgentQuery(e.target.value)}
                />
              ) : null
            }
          >
            {data.agents.length === 0 ? (
              <EmptyState title="No agents">
                {data.reachable
                  ? 'The master answers but no agent has registered. Start a Mesos agent pointed at this master (with mesos-local, agents start with it).'
                  : 'Agents are listed once the master is reachable.'}
              </EmptyState>
            ) : (
              <div className="overflow-x-auto">
                <div className="overflow-x-auto">
                  <table className="w-full text-sm">
                    <thead>
                      <tr className="table-head border-b border-gray-200 dark:border-gray-800">
                        <th scope="col" className="py-2 pr-3">Host</th>
                        <th scope="col" className="py-2 pr-3">State</th>
                        <th scope="col" className="py-2 pr-3">CPUs</th>
                        <th scope="col" className="py-2 pr-3">Memory</th>
                        <th scope="col" className="py-2 pr-3">Disk</th>
                        <th scope="col" className="py-2">Attributes</th>
                      </tr>
                    </thead>
                    <tbody>
                      {agents.map((a) => (
                        <tr key={a.id} className="border-b border-gray-100 align-top dark:border-gray-800/70" data-testid="agent-row">
                          <td className="py-2 pr-3">
                            <div className="font-medium">{a.hostname}</div>
                            <div className="muted max-w-56 truncate font-mono text-[11px]" title={a.id}>
                              {a.id}
                            </div>
                          </td>
                          <td className="py-2 pr-3">{a.active ? <Badge tone="green">active</Badge> : <Badge tone="gray">inactive</Badge>}</td>
                          <td className="py-2 pr-3">
                            <ResourceBar compact label={`${a.hostname} CPUs`} used={a.used.cpus} total={a.resources.cpus} unit="cpus" />
                          </td>
                          <td className="py-2 pr-3">
                            <ResourceBar compact label={`${a.hostname} memory`} used={a.used.mem} total={a.resources.mem} unit="mem" />
                          </td>
                          <td className="py-2 pr-3">
                            <ResourceBar compact label={`${a.hostname} disk`} used={a.used.disk} total={a.resources.disk} unit="disk" />
                          </td>
                          <td className="py-2">
                            {Object.keys(a.attributes).length === 0 ? (
                              <span className="muted">—</span>
                            ) : (
                              <ul className="flex flex-wrap gap-1">
                                {Object.entries(a.attributes).map(([k, v]) => (
                                  <li key={k} className="kbd">
                                    {k}:{String(v)}
                                  </li>
                                ))}
                              </ul>
                            )}
                          </td>
                        </tr>
                      ))}
                      {agents.length === 0 ? (
                        <tr>
                          <td colSpan={6} className="muted py-3 text-sm">
                            No agent matches &quot;{agentQuery}&quot;.
                          </td>
                        </tr>
                      ) : null}
                    </tbody>
                  </table>
                </div>
              </div>
            )}
          </Section>

          <div className="grid gap-4 lg:grid-cols-2">
            <Section title="Frameworks">
              {data.frameworks.length === 0 ? (
                <p className="muted text-sm">
                  {data.reachable ? 'No framework is registered with the master.' : 'Frameworks are listed once the master is reachable.'}
                </p>
              ) : (
                <div className="overflow-x-auto">
                  <table className="w-full text-sm">
                    <thead>
                      <tr className="table-head border-b border-gray-200 dark:border-gray-800">
                        <th scope="col" className="py-2 pr-3">Name</th>
                        <th scope="col" className="py-2 pr-3">State</th>
                        <th scope="col" className="py-2 pr-3 text-right">Tasks</th>
                        <th scope="col" className="py-2 pr-3 text-right">CPUs</th>
                        <th scope="col" className="py-2 text-right">Memory</th>
                      </tr>
                    </thead>
                    <tbody>
                      {ownFirst(data.frameworks, data.ownFrameworkId).map((f) => (
                        <tr key={f.id} className="border-b border-gray-100 dark:border-gray-800/70" aria-current={f.id === data.ownFrameworkId ? 'true' : undefined}>
                          <td className="py-1.5 pr-3">
                            <div className="flex flex-wrap items-center gap-1.5 font-medium">
                              {f.name}
                              {f.id === data.ownFrameworkId ? <Badge tone="blue">this instance</Badge> : null}
                            </div>
                            {/* the whole id: several frameworks may share a name and most of the id */}
                            <div className="muted font-mono text-[11px] break-all">{f.id}</div>
                          </td>
                          <td className="py-1.5 pr-3">{f.active ? <Badge tone="green">active</Badge> : <Badge tone="gray">inactive</Badge>}</td>
                          <td className="py-1.5 pr-3 text-right tabular-nums">{f.tasks}</td>
                          <td className="py-1.5 pr-3 text-right tabular-nums">{formatAmount(f.resources.cpus, 'cpus')}</td>
                          <td className="py-1.5 text-right tabular-nums">{formatAmount(f.resources.mem, 'mem')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>

            <Section title="Scheduler instances">
              <ul className="space-y-2 text-sm" data-testid="instances">
                <InstanceRow host={data.instances.self} self leader={data.instances.isLeader} />
                {data.instances.leader && data.instances.leader !== data.instances.self ? (
                  <InstanceRow host={data.instances.leader} leader />
                ) : null}
                {data.instances.members
                  .filter((m) => m !== data.instances.self && m !== data.instances.leader)
                  .map((m) => (
                    <InstanceRow key={m} host={m} />
                  ))}
              </ul>
              {data.instances.leader === null ? (
                <p className="mt-3 text-sm text-amber-700 dark:text-amber-400">No leader is known right now: an election may be under way.</p>
              ) : null}
              {data.instances.members.length === 0 ? (
                <p className="muted mt-3 text-xs">Single instance (no ZooKeeper configured): it is always the leader. Set ZK to run several.</p>
              ) : null}
            </Section>
          </div>
        </>
      ) : null}
    </div>
  );
}

function InstanceRow({ host, self = false, leader = false }: { host: string; self?: boolean; leader?: boolean }) {
  return (
    <li className="flex flex-wrap items-center gap-2">
      <span className="font-mono break-all">{host}</span>
      {leader ? <Badge tone="blue">leader</Badge> : <Badge tone="gray">standby</Badge>}
      {self ? <span className="muted text-xs">(this instance answered)</span> : null}
    </li>
  );
}
