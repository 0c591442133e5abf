/**
 * The same pipeline as a plain shell script, without a scheduler: the steps' very commands, run
 * level by level of the dependency graph, each level's steps in parallel on every core (`xargs -P
 * $(nproc)`, or $JOBS), each step retried as often as its job's `retries`. The bench compares a
 * night through Sisyphus with this (the limit a scheduler can approach).
 */
import type { Step } from './pipeline';

/** Depth of each step: 0 for the root, else one more than its deepest parent. */
export function levels(steps: Step[]): Step[][] {
  const depth = new Map<string, number>();
  for (const s of steps) depth.set(s.name, s.parents.length ? Math.max(...s.parents.map((p) => depth.get(p)!)) + 1 : 0);
  const out: Step[][] = [];
  for (const s of steps) (out[depth.get(s.name)!] ??= []).push(s);
  return out;
}

export function baselineScript(steps: Step[]): string {
  const lines = [
    '#!/bin/sh',
    '# The nightly-transcode pipeline without a scheduler (examples/nightly-transcode/shell-baseline.ts).',
    'set -eu',
    'P=${JOBS:-$(nproc)}',
    'D=$(mktemp -d)',
    "trap 'rm -rf \"$D\"' EXIT",
    // one file per step: its command; run.sh retries it
    `cat > "$D/run.sh" <<'EOF_RUN'`,
    'n=0',
    'until sh "$1.sh" > "$1.log" 2>&1; do',
    '  n=$((n + 1))',
    '  if [ "$n" -gt "$(cat "$1.retries")" ]; then echo "step $(cat "$1.name") failed:" >&2; cat "$1.log" >&2; exit 255; fi',
    'done',
    'EOF_RUN',
  ];
  steps.forEach((s, i) => {
    lines.push(`cat > "$D/${i}.sh" <<'EOF_STEP_${i}'`, s.command, `EOF_STEP_${i}`);
    lines.push(`echo ${s.retries} > "$D/${i}.retries"; echo '${s.name}' > "$D/${i}.name"`);
  });
  const index = new Map(steps.map((s, i) => [s.name, i]));
  for (const level of levels(steps)) {
    lines.push(`printf '%s\\n' ${level.map((s) => `"$D/${index.get(s.name)}"`).join(' ')} | xargs -P "$P" -n 1 sh "$D/run.sh"`);
  }
  lines.push(`echo "pipeline done: ${steps.length} steps"`);
  return `${lines.join('\n')}\n`;
}
