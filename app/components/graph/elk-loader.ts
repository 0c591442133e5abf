/** The ELK instance the graph page lays out with when the server sent no layout. */
import type { ELK } from 'elkjs/lib/elk-api';

let elkPromise: Promise<ELK> | null = null;
/** ELK, loaded on demand (~1.5 MB of JavaScript), once per page. */
export function getElk(): Promise<ELK> {
  // ELK runs in a Web Worker (served by app/elk-worker.js/route.ts) so a 1,000-node layout never
  // freezes the page; where workers are unavailable the bundled build runs on the main thread.
  elkPromise ??=
    typeof Worker === 'function'
      ? import('elkjs/lib/elk-api.js').then((m) => new m.default({ workerUrl: '/elk-worker.js' }))
      : import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return elkPromise;
}
