/** One JSON (or other) POST with a timeout; a non-2xx answer rejects with the status and the start of the body. */
export const POST_TIMEOUT_MS = 10_000;

/** The URL without credentials or query (webhook URLs carry secrets in their path: keep only the host). */
export const safeUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the configured URL';
  }
};

export async function post(what: string, url: string, body: string, headers: Record<string, string>, timeoutMs = POST_TIMEOUT_MS): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new Error(`${what}: cannot reach ${safeUrl(url)}: ${reason}`);
  }
  if (res.ok) {
    await res.body?.cancel().catch(() => {});
    return;
  }
  const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
  throw new Error(`${what}: ${safeUrl(url)} answered ${res.status}${text ? `: ${text}` : ''}`);
}
