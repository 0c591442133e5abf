/**
 * A job name that is cut in the middle when it does not fit, so the end stays readable: pipelines
 * name their jobs `nightly-transcode.c01.transcode-720p`, and cutting at the end made every row
 * of a clip read `nightly-transcode.c01.tran…`. The text is the whole name (search, copy, tests).
 */
import { splitName } from './name-split';

export function NameEllipsis({ name, className = '' }: { name: string; className?: string }) {
  const [head, tail] = splitName(name);
  if (!tail) return <span className={`block truncate ${className}`}>{name}</span>;
  return (
    <span className={`flex min-w-0 ${className}`}>
      <span className="truncate">{head}</span>
      <span className="shrink-0 whitespace-pre">{tail}</span>
    </span>
  );
}
