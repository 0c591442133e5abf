/**
 * Server side of <Preloaded> (preload.tsx): a page's server component reads the answers its view
 * would fetch first, from the same UiService the /api/… route handlers call, so the HTML carries
 * the content and the browser asks for nothing before showing it.
 *
 *   return <Preloaded {...await preload({ '/api/dashboard': (ui) => ui.dashboard() })}><DashboardView /></Preloaded>;
 *
 * Keys are the exact URLs the view fetches (usePreloaded / useApi look them up). A read that
 * fails is left out, and so is one that this instance must not answer (a follower sends it to
 * the leader, see scheduler/api/leader-proxy.ts): the view then fetches it as usual and shows
 * the error, or the leader's answer.
 *
 * A browser that sends the cookie `sisyphus-preload=off` gets every page without server data (the
 * views fetch everything, as before any of this): the end-to-end tests that answer /api/… requests
 * with stubs in the browser use it.
 */
import { cookies } from 'next/headers';
import { connection } from 'next/server';
import type { Viewer } from './preload';
import { registeredLeaderView, shouldProxy } from '@/scheduler/api/leader-proxy';
import { getUiService, type UiService } from '@/scheduler/api/ui-service';

export const PRELOAD_COOKIE = 'sisyphus-preload';
/** Set by the browser (app/components/time.tsx): its time-zone mode, and its IANA zone. */
export const TZ_MODE_COOKIE = 'sisyphus-tz';
export const ZONE_COOKIE = 'sisyphus-zone';

export type Reads = Record<string, (ui: UiService) => Promise<unknown> | unknown>;

/** What <Preloaded> takes: the answers, the server's clock when it read them, the viewer's time zone. */
export interface PreloadProps {
  now: number;
  data: Record<string, unknown>;
  viewer: Viewer;
}

/** The answers of `reads`, the time `now` the page is rendered at, and the viewer's time-zone choice. */
export async function preload(reads: Reads, now = Date.now()): Promise<PreloadProps> {
  return { now, data: await read(reads), viewer: await viewer() };
}

/**
 * The time-zone mode and zone the browser shows times in, from the cookies it keeps (time.tsx,
 * rememberViewer): the page renders its times as the browser will, so they do not change when it
 * hydrates. Unknown (a first visit, a bad value): null, and the server renders in UTC.
 */
export async function viewer(): Promise<Viewer> {
  const jar = await cookies();
  const mode = jar.get(TZ_MODE_COOKIE)?.value ?? null;
  const zone = jar.get(ZONE_COOKIE)?.value ?? null;
  return { mode: mode === 'local' || mode === 'utc' || mode === 'job' ? mode : null, zone: zone && validZone(zone) ? zone : null };
}

/** The zone times without a job are shown in, for a viewer (useDisplayZone's rule). */
export function displayZone(v: Viewer): string {
  return (v.mode ?? 'local') === 'local' && v.zone ? v.zone : 'UTC';
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

async function read(reads: Reads): Promise<Record<string, unknown>> {
  await connection(); // rendered per request, never at build time
  if ((await cookies()).get(PRELOAD_COOKIE)?.value === 'off') return {};
  const view = registeredLeaderView();
  const local = Object.entries(reads).filter(([url]) => !shouldProxy(new Request(new URL(url, 'http://localhost')), view));
  if (local.length === 0) return {};
  let ui: UiService;
  try {
    ui = await getUiService();
  } catch {
    return {};
  }
  const out: Record<string, unknown> = {};
  await Promise.all(
    local.map(async ([url, read]) => {
      try {
        out[url] = await read(ui);
      } catch {
        // the view fetches it and shows the error where it belongs
      }
    }),
  );
  return out;
}

/** A page's `searchParams` prop as URLSearchParams (the first value of a repeated key, as useSearchParams().get does). */
export function searchParamsOf(sp: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) {
    if (typeof v === 'string') out.set(k, v);
    else if (Array.isArray(v) && v.length) out.set(k, v[0]);
  }
  return out;
}

/** The query of an /api/… URL, to parse as its route handler does. */
export const paramsOf = (url: string): URLSearchParams => new URL(url, 'http://localhost').searchParams;
