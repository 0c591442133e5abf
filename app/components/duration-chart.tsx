'use client';
/**
 * The job page's bar chart of run durations (recharts). Loaded on its own (next/dynamic in
 * job-detail-view.tsx): recharts is ~390 kB of JavaScript whose evaluation otherwise delays the
 * whole page's first render; the chart fills its box a moment after the history shows.
 */
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDuration, formatInstant } from './time';

export interface DurationPoint {
  at: number;
  seconds: number;
  state: string;
  taskId: string;
}

export function DurationChart({ chart, zone }: { chart: DurationPoint[]; zone: string }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={chart} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} vertical={false} />
        <XAxis dataKey="at" tickFormatter={(v: number) => formatInstant(v, zone).slice(5, 16)} tick={{ fontSize: 10, fill: 'currentColor' }} minTickGap={40} />
        <YAxis tick={{ fontSize: 10, fill: 'currentColor' }} />
        <Tooltip
          labelFormatter={(v) => formatInstant(Number(v), zone)}
          formatter={(v) => [formatDuration(Number(v) * 1000), 'duration']}
          contentStyle={{ fontSize: 12, background: 'var(--color-gray-900)', color: 'white', border: 'none', borderRadius: 6 }}
          itemStyle={{ color: 'white' }}
        />
        <Bar dataKey="seconds" isAnimationActive={false}>
          {chart.map((c) => (
            <Cell key={c.taskId} fill={c.state === 'FINISHED' ? '#0ea5e9' : '#ef4444'} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
