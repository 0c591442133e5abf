/** A used / total bar for one resource, with the numbers in text (not colour alone). */

export function formatAmount(value: number, unit: 'cpus' | 'mem' | 'disk'): string {
  if (unit === 'cpus') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  // mem and disk are MB in Mesos.
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} TB`;
  if (value >= 1024) return `${(value / 1024).toFixed(value >= 10 * 1024 ? 0 : 1)} GB`;
  return `${Math.round(value)} MB`;
}

export function ResourceBar({
  label,
  used,
  total,
  unit,
  compact = false,
}: {
  label: string;
  used: number;
  total: number;
  unit: 'cpus' | 'mem' | 'disk';
  compact?: boolean;
}) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const tone = pct >= 90 ? 'bg-red-500' : pct >= 70 ? 'bg-amber-500' : 'bg-sky-500';
  const text = `${formatAmount(used, unit)} of ${formatAmount(total, unit)}${unit === 'cpus' ? ' cpus' : ''}`;
  return (
    <div className={compact ? 'min-w-36' : ''}>
      <div className="mb-0.5 flex justify-between gap-2 text-xs">
        <span className={compact ? 'sr-only' : 'font-medium'}>{label}</span>
        <span className="muted tabular-nums">
          {text} <span className="text-gray-400 dark:text-gray-500">({Math.round(pct)}%)</span>
        </span>
      </div>
      <div
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-valuetext={text}
        className={`overflow-hidden rounded-full bg-gray-200 dark:bg-gray-800 ${compact ? 'h-1.5' : 'h-2.5'}`}
      >
        <div className={`h-full rounded-full ${tone}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
