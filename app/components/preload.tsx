'use client';
/**
 * Data a page's server component read while rendering (app/components/server-data.ts), handed to
 * the client views so their first render already has it: the content is in the HTML, before any
 * JavaScript runs, and no fetch waits for hydration.
 *
 *   <Preloaded {...await preload({ [apiUrl]: read })}>   (in a page.tsx, around the view)
 *   usePreloaded<T>(url)   the answer read on the server for exactly this /api/… URL, else undefined
 *   useViewer()            the time-zone mode and browser zone the server rendered with (cookies the
 *                          browser sets, see rememberViewer in time.tsx; null on a first visit)
 *   useServerNow()         the server's clock at render time (null outside <Preloaded>): the first
 *                          client render uses it so relative times match the HTML (no hydration mismatch)
 *   useHydrated()          false on the server and during hydration, true after (input before
 *                          hydration is replayed then: early-input.ts)
 *   useScrolledBeforeHydration(ref)   a server-rendered scroller moved before hydration: its scroll
 *                          listeners (a virtualizer) hear of it once attached
 *
 * A view uses preloaded data for its first URL only; later URLs are fetched as usual.
 */
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useSyncExternalStore, type ReactNode, type RefObject } from 'react';

/** How the viewer shows times, as the browser last said (cookies): mode local | utc | job, and its zone. */
export interface Viewer {
  mode: string | null;
  zone: string | null;
}

interface PreloadValue {
  now: number | null;
  data: Readonly<Record<string, unknown>>;
  viewer: Viewer;
}

const PreloadContext = createContext<PreloadValue>({ now: null, data: {}, viewer: { mode: null, zone: null } });

export function Preloaded({ now, data, viewer, children }: { now: number; data: Record<string, unknown>; viewer: Viewer; children: ReactNode }) {
  return <PreloadContext.Provider value={{ now, data, viewer }}>{children}</PreloadContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(PreloadContext).viewer;
}

export function usePreloaded<T>(url: string | null): T | undefined {
  const { data } = useContext(PreloadContext);
  return url !== null && Object.prototype.hasOwnProperty.call(data, url) ? (data[url] as T) : undefined;
}

export function useServerNow(): number | null {
  return useContext(PreloadContext).now;
}

const noSubscribe = () => () => {};
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

/**
 * A scroller in the server's HTML can be scrolled before the page hydrates; a virtualizer attached
 * at hydration puts it back where it thinks it is (the top). Call before the virtualizer's hook:
 * the position is read before it is reset, and restored once the virtualizer listens (so it draws
 * the rows there).
 */
export function useScrolledBeforeHydration(ref: RefObject<HTMLElement | null>): void {
  const at = useRef<{ top: number; left: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && (el.scrollTop !== 0 || el.scrollLeft !== 0)) at.current = { top: el.scrollTop, left: el.scrollLeft };
  }, [ref]);
  useEffect(() => {
    const el = ref.current;
    const p = at.current;
    at.current = null;
    if (!el || !p) return;
    el.scrollTop = p.top;
    el.scrollLeft = p.left;
    el.dispatchEvent(new Event('scroll'));
  }, [ref]);
}

/** After the page has loaded: when the browser is idle, or a second has passed. */
export function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 2000 });
  else setTimeout(fn, 1000);
}
