/**
 * Input before the page's JavaScript runs. Pages come with their content in the HTML
 * (server-data.ts), so their controls show before React has attached a handler: a click, a
 * keystroke or a picked option meanwhile would be lost (React keeps what the DOM holds when it
 * hydrates, and hears only later events).
 *
 * EARLY_INPUT_SCRIPT (inline in the layout's <head>) notes that input: clicks on buttons and form
 * submissions (held back: a native submission would reload the page) until React listens (from
 * then on React holds them back and replays them itself while it hydrates), and changed text
 * fields and selects until the page has hydrated (React's hydration keeps neither a select's
 * choice nor a change made while it hydrates). Once hydrated, Providers calls replayEarlyInput,
 * which hands each of them to React's handlers in order, as if it happened now (a field already
 * seen by React gets the same value again). Checkboxes and radio buttons are left alone.
 */

/** <html data-hydrated> once the page has hydrated (the end-to-end tests wait for it too). */
export const HYDRATED_ATTRIBUTE = 'data-hydrated';

/** Plain ES5, inline in <head>. React marks the root it listens on with `_reactListening…`. */
export const EARLY_INPUT_SCRIPT = `(function(){var q=window.__sisyphusEarlyInput=[];function react(){return Object.keys(document).some(function(k){return k.indexOf('_reactListening')===0})}function live(){return document.documentElement.hasAttribute('${HYDRATED_ATTRIBUTE}')}function field(e){var t=e.target;if(live()||!t||t.type==='checkbox'||t.type==='radio'||t.type==='file')return;if(t.tagName==='INPUT'||t.tagName==='TEXTAREA'||t.tagName==='SELECT')q.push({field:t,value:t.value});}document.addEventListener('input',field,true);document.addEventListener('change',field,true);document.addEventListener('click',function(e){if(react())return;var b=e.target&&e.target.closest?e.target.closest('button'):null;if(b&&!b.disabled&&b.type!=='submit')q.push({click:b});},true);document.addEventListener('submit',function(e){if(react())return;e.preventDefault();q.push({submit:e.target,submitter:e.submitter||null});},true);})();`;

type Early =
  | { field: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement; value: string }
  | { click: HTMLButtonElement }
  | { submit: HTMLFormElement; submitter: HTMLElement | null };

/** Sets a field's value past React's value tracker (so the next input event reads as a change). */
function setUntracked(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
}

/**
 * Call once the page has hydrated (React's handlers are attached). Each queued input goes to the
 * page in a task of its own, so React has rendered the previous one when the next comes (a click
 * on "Create" sees the text typed before it).
 */
export function replayEarlyInput(): void {
  const w = window as unknown as { __sisyphusEarlyInput?: Early[] };
  const queued = w.__sisyphusEarlyInput ?? [];
  w.__sisyphusEarlyInput = [];
  // a field's last value is what counts: once, where it was first changed (the value as typed:
  // a render since may have put the field back to what React holds)
  const last = new Map<Element, string>();
  for (const e of queued) if ('field' in e) last.set(e.field, e.value);
  const items = queued.filter((e) => !('field' in e) || (last.has(e.field) ? (e.value = last.get(e.field)!, last.delete(e.field), true) : false));
  const next = (i: number) => {
    if (i >= items.length) return;
    replay(items[i]);
    setTimeout(() => next(i + 1), 0);
  };
  if (items.length) setTimeout(() => next(0), 0);
}

function replay(e: Early): void {
  if ('field' in e) {
    const el = e.field;
    if (!el.isConnected) return;
    if (el instanceof HTMLSelectElement) {
      el.value = e.value;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    } else {
      el.value = el.defaultValue; // React's tracker now holds the value it rendered…
      setUntracked(el, e.value); // …and the field what was typed: the event reads as a change
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
  } else if ('click' in e) {
    if (e.click.isConnected && !e.click.disabled) e.click.click();
  } else if (e.submit.isConnected) {
    e.submit.requestSubmit(e.submitter instanceof HTMLButtonElement || e.submitter instanceof HTMLInputElement ? e.submitter : undefined);
  }
}
