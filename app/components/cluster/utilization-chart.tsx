'use client';
/** CPU and memory utilisation over time (ClusterState.history), in percent of the cluster total. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ClusterState } from '@/scheduler/api/ui-types';
import { formatInstant } from '@/app/components/time';
import { DateTime } from 'luxon';
import { useIsDark } from '@/app/components/graph/use-dark';
import { formatAmount } from './resource-bar';

type Sample = ClusterState['history'][number];

export function UtilizationChart({ history, zone }: { history: Sample[]; zone: string }) {
  const dark = useIsDark();
  const data = history.map((h) => ({
    at: h.at,
    cpu: h.cpusTotal > 0 ? (h.cpusUsed / h.cpusTotal) * 100 : 0,
    mem: h.memTotal > 0 ? (h.memUsed / h.memTotal) * 100 : 0,
    sample: h,
  }));
  const spanDays = data.length > 1 ? (data[data.length - 1].at - data[0].at) / 86_400_000 : 0;
  const grid = dark ? '#374151' : '#e5e7eb';
  const text = dark ? '#9ca3af' : '#6b7280';
  return (
    <div className="h-60 w-full" role="img" aria-label={`CPU and memory utilisation, ${history.length} samples`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 240 }}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
          <CartesianGrid stroke={grid} strokeDasharray="3 3" />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => DateTime.fromMillis(v, { zone }).toFormat(spanDays > 1 ? 'd LLL HH:mm' : 'HH:mm')}
            stroke={text}
            fontSize={11}
            minTickGap={40}
          />
          <YAxis domain={[0, 100]} tickFormatter={(v: number) => `${v}%`} stroke={text} fontSize={11} width={48} />
          <Tooltip
            contentStyle={{ background: dark ? '#111827' : '#fff', borderColor: grid, fontSize: 12 }}
            labelStyle={{ color: dark ? '#e5e7eb' : '#111827' }}
            labelFormatter={(v) => formatInstant(Number(v), zone)}
            formatter={(value, name, item) => {
              const s = (item?.payload as { sample: Sample } | undefined)?.sample;
              const pct = `${Number(value).toFixed(1)}%`;
              if (!s) return [pct, name];
              return name === 'CPU'
                ? [`${pct} (${formatAmount(s.cpusUsed, 'cpus')} of ${formatAmount(s.cpusTotal, 'cpus')} cpus)`, name]
                : [`${pct} (${formatAmount(s.memUsed, 'mem')} of ${formatAmount(s.memTotal, 'mem')})`, name];
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line type="monotone" dataKey="cpu" name="CPU" stroke="#0ea5e9" strokeWidth={2} dot={data.length < 3} isAnimationActive={false} />
          <Line type="monotone" dataKey="mem" name="Memory" stroke="#a855f7" strokeWidth={2} dot={data.length < 3} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
