/** The page figures: each page's first render (navigation start → its content in the DOM), after one unmeasured visit. */
import { fmt } from '../util';
import { timePageLoad } from './browser-timing';
import { q, readyConditions, type Expected } from './expected';
import type { Figure, Target } from './figure';

export function pageFigures(t: Target, e: Expected, timeoutMs: number): Figure[] {
  const { base, seed } = t;
  const enc = encodeURIComponent;
  const { graph, focus, nightWindowRuns, failedRun } = e;
  const failedTask = failedRun.runs[0]?.taskId ?? '';
  const ready = readyConditions(e);
  const page = (id: string, what: string, url: string, cond: string, until: string): Figure => ({
    id,
    kind: 'page',
    what,
    until,
    warm: true,
    once: (b) => timePageLoad(b, url, cond, timeoutMs),
  });
  return [
    page('dashboard', 'dashboard', `${base}/`, `document.querySelector('section[aria-label="Job counts"]') !== null && document.querySelector('section[aria-label^="Recent failures"] a') !== null`, 'job counts and recent failures shown'),
    page('jobs', 'jobs', `${base}/jobs`, ready.jobs, 'first job row shows its name'),
    page('job-detail', `job detail (${fmt(seed.heavyRuns)} runs)`, `${base}/jobs/${enc(seed.heavyJob)}`, `document.querySelector('table[aria-label="Run history"] tbody tr') !== null && document.querySelector('h1') !== null`, 'run history rows shown'),
    page('editor-new', 'editor, new job', `${base}/jobs/new`, `document.querySelector('form[aria-label="New job"]') !== null && document.querySelector('[data-testid="schedule-preview"] table') !== null`, "the form shown with its schedule's preview"),
    page('editor-edit', 'editor, edit a dependent job', `${base}/jobs/${enc(seed.editJob)}/edit`, `document.querySelector(${q(`form[aria-label="Edit ${seed.editJob}"]`)}) !== null`, "the form shown with the job's values"),
    page('graph', `graph, whole (${fmt(graph.nodes.length)} nodes in the API answer)`, `${base}/graph`, ready.graph, 'laid-out nodes shown'),
    page('graph-focus', `graph, one job's ancestors and descendants (${fmt(focus.nodes.length)} nodes)`, `${base}/graph?focus=${enc(seed.focusJob)}`, ready.graph, 'laid-out nodes shown'),
    page('runs', 'runs', `${base}/runs`, ready.runs, 'first run row shown'),
    page('timeline', 'runs timeline, last night 18–08', `${base}/runs?window=lastnight`, `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null`, 'first bars shown'),
    page(
      'timeline-all',
      `runs timeline, last night 18–08, whole window loaded (${fmt(nightWindowRuns)} runs)`,
      `${base}/runs?window=lastnight`,
      `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /[\\d,]+ runs? in the window/.test(document.body.innerText)`,
      '"N runs in the window" shown',
    ),
    page(
      'run-page',
      'run page of a failed run (attempts, exit status, steps)',
      `${base}/runs/${enc(failedTask)}`,
      `document.querySelector('[data-testid="exit-status"]') !== null && document.querySelector('[role="tablist"][aria-label="Attempts"] [role="tab"]') !== null && document.querySelector('[data-testid="run-step"]') !== null`,
      'attempt tabs, exit status and state timeline shown',
    ),
    page(
      'grid',
      'pipeline grid, largest pipeline × last 14 instants',
      `${base}/grid`,
      `document.querySelector('table[aria-label="Pipeline grid"] tbody td a[data-state]') !== null`,
      'first coloured cell shown',
    ),
    page('cluster', 'cluster', `${base}/cluster`, `document.querySelector('[data-testid="agent-row"]') !== null`, 'agent rows shown'),
  ];
}
