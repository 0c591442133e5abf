/** The page figures: each page's first render (navigation start → its content in the DOM), after one unmeasured visit. */
import { fmt } from '../util';
import { timePageLoad } from './browser-timing';
import { q, readyConditions, type Expected } from './expected';
import type { Figure, Target } from './figure';

export function pageFigures(t: Target, e: Expected, timeoutMs: number): Figure[] {
  const { base, seed } = t;
  const enc = encodeURIComponent;
  const { graph, focus, nightWindowRuns } = e;
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
    page('cluster', 'cluster', `${base}/cluster`, `document.querySelector('[data-testid="agent-row"]') !== null`, 'agent rows shown'),
  ];
}
