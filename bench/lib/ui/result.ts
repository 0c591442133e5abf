/** What the UI benchmark reports: each figure's samples against the limit, the API answers, the facts they depend on. */

export const UI_LIMIT_MS = 2000;

export interface UiFigure {
  id: string;
  kind: 'page' | 'interaction';
  /** What is measured, for the table. */
  what: string;
  /** The condition that ends the measurement. */
  until: string;
  samples: number[];
  /** Set when a repetition did not reach its condition (timeout or error). */
  error?: string;
  /** The same figure on the baseline build (`--ui-baseline`), measured alternately with this one. */
  baseline?: { label: string; what: string; samples: number[] };
}

export interface UiApiFigure {
  path: string;
  ms: number[];
  bytes: number;
}

export interface UiResult {
  jobs: number;
  runs: number;
  seedSeconds: number;
  reps: number;
  limitMs: number;
  /** Facts the figures depend on. */
  facts: {
    detailJob: string;
    detailRuns: number;
    graphNodes: number;
    graphEdges: number;
    focusJob: string;
    focusNodes: number;
    nightWindowRuns: number;
  };
  figures: UiFigure[];
  api: UiApiFigure[];
  /** With `--ui-baseline`: that build's API answers and facts. */
  baseline?: { label: string; api: UiApiFigure[]; facts: UiResult['facts'] };
  /** 1-minute load average of the machine when each repetition started (other work shares the cores). */
  loadAverage: { min: number; max: number; median: number } | null;
}
