/**
 * Timing in the browser. A page's first render is navigation start (performance.timeOrigin) → the
 * moment its content condition holds in the DOM (a MutationObserver installed before any page
 * script runs checks it on every DOM change), rounded up to the next animation frame. An
 * interaction is the input event (Playwright's fill/click/select, issued right after the observer
 * is armed) → the same kind of condition on the new content. Each measurement uses a fresh browser
 * context (cold HTTP cache, as a new visitor).
 */

/**
 * Runs in the page: resolves window.__benchDone with the time (performance.now(), ms since
 * navigation start) at the animation frame after `cond` first holds, checking on every DOM change.
 * `cond` is a JS expression. With `after`, `after` must hold first (a state change to wait past).
 */
const WATCH = `
// tsx (esbuild, keepNames) wraps named functions of the functions handed to page.evaluate in __name()
window.__name = window.__name || function (f) { return f; };
window.__benchWatch = function (cond, after) {
  const test = new Function('return (' + cond + ');');
  const pre = after ? new Function('return (' + after + ');') : null;
  let passed = !pre;
  let done = false;
  return new Promise(function (resolve) {
    const check = function () {
      if (done) return;
      try {
        if (!passed) { if (pre()) passed = true; else return; }
        if (!test()) return;
      } catch (e) { return; }
      done = true;
      obs.disconnect();
      clearInterval(iv);
      requestAnimationFrame(function () { resolve(performance.now()); });
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    const iv = setInterval(check, 50);
    check();
  });
};
// A step armed in a document that then navigated away (a link followed as a plain link, before the
// page hydrated) goes on here, with its time in that first document's clock.
try {
  const pending = sessionStorage.getItem('__benchStep');
  if (pending) {
    sessionStorage.removeItem('__benchStep');
    const step = JSON.parse(pending);
    const shift = performance.timeOrigin - step.origin;
    window.__benchStep = window.__benchWatch(step.cond, step.after || undefined).then(function (t) { return t + shift; });
  }
} catch (e) {}`;

export type Browser = import('playwright-core').Browser;
export type Page = import('playwright-core').Page;

const CONTEXT = { viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' as const };

async function newPage(browser: Browser, firstLoadCond?: string): Promise<Page> {
  const ctx = await browser.newContext(CONTEXT);
  await ctx.addInitScript({ content: WATCH + (firstLoadCond ? `\nwindow.__benchDone = window.__benchWatch(${JSON.stringify(firstLoadCond)});` : '') });
  return ctx.newPage();
}

/**
 * The value of the promise window[key] (set by the watcher), with a timeout. A navigation to a new
 * document meanwhile is followed: the watcher goes on there (WATCH, __benchStep).
 */
async function awaitInPage(page: Page, key: '__benchDone' | '__benchStep', timeoutMs: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  const read = async (): Promise<number> => {
    for (;;) {
      try {
        return await page.evaluate(
          (k) =>
            new Promise<number>((resolve) => {
              const w = window as unknown as Record<string, Promise<number> | undefined>;
              const poll = () => (w[k] ? w[k]!.then(resolve) : setTimeout(poll, 10));
              poll();
            }),
          key,
        );
      } catch (e) {
        if (!/context was destroyed|navigat/i.test((e as Error).message)) throw e;
      }
    }
  };
  try {
    return await Promise.race([read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function closePage(page: Page): Promise<void> {
  await page.context().close().catch(() => {});
}

/** Navigation start → cond, in a fresh context. */
export async function timePageLoad(browser: Browser, url: string, cond: string, timeoutMs: number): Promise<number> {
  const page = await newPage(browser, cond);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    return await awaitInPage(page, '__benchDone', timeoutMs);
  } finally {
    await closePage(page);
  }
}

/** Opens url, waits for ready, then times act() → cond (after `after`, if given). */
export async function timeInteraction(
  browser: Browser,
  url: string,
  ready: string,
  act: (page: Page) => Promise<void>,
  cond: string,
  timeoutMs: number,
  opts: { after?: string; prepare?: (page: Page) => Promise<void> } = {},
): Promise<number> {
  const page = await newPage(browser, ready);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    await awaitInPage(page, '__benchDone', timeoutMs);
    await opts.prepare?.(page);
    const t0 = await page.evaluate(
      ([c, a]) => {
        const w = window as unknown as { __benchWatch: (c: string, a?: string) => Promise<number>; __benchStep: Promise<number> };
        // if the act navigates to a new document, WATCH arms the step there
        sessionStorage.setItem('__benchStep', JSON.stringify({ cond: c, after: a, origin: performance.timeOrigin }));
        w.__benchStep = w.__benchWatch(c, a ?? undefined);
        return performance.now();
      },
      [cond, opts.after ?? null] as const,
    );
    await act(page);
    return (await awaitInPage(page, '__benchStep', timeoutMs)) - t0;
  } finally {
    await closePage(page);
  }
}
