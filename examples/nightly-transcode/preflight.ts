/**
 * What the loader checks before it posts a job, each failure one line saying what to do:
 * ffmpeg and ffprobe on the PATH (the tasks run them on this machine under the embedded
 * mesos-local), the work and output folders writable, the Sisyphus server answering /ping.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class LoaderError extends Error {}

export function checkTools(env: NodeJS.ProcessEnv): void {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { env, stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      throw new LoaderError(
        `${tool} is not installed or not on the PATH (${r.error ? (r.error as NodeJS.ErrnoException).code : `exit ${r.status}`}); install it with: sudo apt-get install -y ffmpeg (or: node scripts/services.mjs --only=ffmpeg)`,
      );
    }
  }
}

/** Creates the folder if needed and proves it writable with a probe file. */
export function checkWritable(dir: string, what: string, flag: string): void {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new LoaderError(`the ${what} folder ${dir} is not writable (${code}); pass a folder you can write to with ${flag} DIR`);
  }
}

export async function checkServer(url: string, timeoutMs = 5000): Promise<void> {
  let why: string;
  try {
    const r = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(timeoutMs) });
    if (r.ok) return;
    why = r.status === 401 ? 'it asks for credentials (HTTP_CREDENTIALS); this loader supports an open server only' : `/ping answered ${r.status}`;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    why = err.name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
  }
  throw new LoaderError(`no Sisyphus answers at ${url} (${why}); start it with: npm start (or pass its address with --url URL)`);
}
