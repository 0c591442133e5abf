/** The interaction figures: an input on a loaded page (fill, select, click, scroll) → the new content in the DOM. */
import { fmt } from '../util';
import { timeInteraction } from './browser-timing';
import { q, readyConditions, rowLink, text, type Expected } from './expected';
import type { Figure, Target } from './figure';

export function interactionFigures(t: Target, e: Expected, timeoutMs: number): Figure[] {
  const { base, seed } = t;
  const enc = encodeURIComponent;
  const { all, search, failing, byNext, deepIndex, deep, failedRun, focus } = e;
  const ready = readyConditions(e);
  const jobsReady = ready.jobs;
  const runsReady = ready.runs;
  const act = (id: string, what: string, until: string, once: Figure['once']): Figure => ({ id, kind: 'interaction', what, until, once });
  const jobsUrl = `${base}/jobs`;
  return [
    act('jobs-search', `jobs: type a search ("${seed.searchQuery}", ${fmt(search.total)} matches)`, 'rows filtered', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.fill('#job-search', seed.searchQuery), `${rowLink(0)}?.textContent === ${q(search.jobs[0]?.name ?? '')} && document.body.innerText.includes(${q(`${search.total.toLocaleString('en-US')} job${search.total === 1 ? '' : 's'} match`)})`, timeoutMs),
    ),
    act('jobs-filter', `jobs: filter status = failure (${fmt(failing.total)} jobs)`, 'rows filtered', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, async (pg) => void (await pg.selectOption('#filter-status', 'failure')), `${rowLink(0)}?.textContent === ${q(failing.jobs[0]?.name ?? '')} && document.body.innerText.includes(${q(`${failing.total.toLocaleString('en-US')} jobs match`)})`, timeoutMs),
    ),
    act('jobs-sort', 'jobs: sort by next run', 'first row is the soonest job', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.getByRole('button', { name: 'Next run', exact: false }).first().click(), `${rowLink(0)}?.textContent === ${q(byNext.jobs[0].name)}`, timeoutMs),
    ),
    act('jobs-scroll', `jobs: scroll to row ${fmt(deepIndex)}`, 'that row shows its job', (b) =>
      timeInteraction(
        b,
        jobsUrl,
        jobsReady,
        (pg) =>
          pg.evaluate((i) => {
            const row = document.querySelector('[data-row-index="0"]')!;
            const scroller = row.parentElement!.parentElement!;
            scroller.scrollTop = i * 52 - 100;
          }, deepIndex),
        `${rowLink(deepIndex)}?.textContent === ${q(deep.jobs[0].name)}`,
        timeoutMs,
      ),
    ),
    act('jobs-open', 'jobs: open a job from the list', "the job's run history shown", (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.locator('[data-row-index="0"] a').first().click(), `location.pathname === ${q(`/jobs/${enc(all.jobs[0].name)}`)} && document.querySelector('table[aria-label="Run history"] tbody tr') !== null`, timeoutMs),
    ),
    act('runs-filter', 'runs: filter state = failed', 'the newest failed run first', (b) =>
      timeInteraction(b, `${base}/runs`, runsReady, async (pg) => void (await pg.selectOption('#runs-state', 'FAILED')), `(document.querySelector('[data-testid="run-row"]')?.textContent ?? '').includes(${q(failedRun.runs[0]?.taskId ?? '?')})`, timeoutMs),
    ),
    act('timeline-window', 'runs timeline: window last 24 h → last night', 'whole window loaded ("N runs in the window")', (b) =>
      timeInteraction(
        b,
        `${base}/runs`,
        `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /runs? in the window/.test(document.body.innerText)`,
        (pg) => pg.getByRole('button', { name: 'Last night 18–08' }).click(),
        `location.search.includes('window=lastnight') && document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /[\\d,]+ runs? in the window/.test(document.body.innerText)`,
        timeoutMs,
        { after: `/loading…/.test(document.body.innerText)` },
      ),
    ),
    act('graph-filter', `graph: focus on one job (${fmt(focus.nodes.length)} nodes)`, 'the focused graph laid out', (b) =>
      timeInteraction(
        b,
        `${base}/graph`,
        `document.querySelector('#graph-search') !== null && (document.querySelector('[data-testid="graph-canvas"]') !== null || /No jobs yet/.test(document.body.innerText))`,
        (pg) => pg.getByRole('button', { name: /^Focus on/ }).click(),
        `document.body.innerText.includes('Showing the ancestors and descendants of') && ${text('[data-testid="layout-time"]')}.startsWith(${q(`${fmt(focus.nodes.length)} job`)})`,
        timeoutMs,
        {
          prepare: async (pg) => {
            await pg.fill('#graph-search', seed.focusJob);
            await pg.waitForFunction(() => document.querySelector<HTMLButtonElement>('button[title^="Show only"]')?.disabled === false, undefined, { timeout: timeoutMs });
          },
        },
      ),
    ),
  ];
}
