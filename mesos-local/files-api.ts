/**
 * The files API over the sandbox root: GET /files/read, /files/browse and /files/download (paths
 * outside the root are 404), with Mesos's answers to bad offsets and lengths.
 */
import type http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import type { MasterState } from './master-state';
import { HttpError, replyJson } from './http-io';

export class FilesApi {
  constructor(private readonly master: MasterState) {}

  /** Resolves a /files path to a real path inside the sandbox root, or throws 400/404. */
  private async resolveFilePath(url: URL): Promise<string> {
    const p = url.searchParams.get('path');
    if (!p) throw new HttpError(400, "Expecting 'path=value' in query.\n");
    let root: string;
    let real: string;
    try {
      root = await fs.promises.realpath(this.master.workDir);
      real = await fs.promises.realpath(path.resolve(this.master.workDir, p));
    } catch {
      throw new HttpError(404, '');
    }
    if (real !== root && !real.startsWith(root + path.sep)) throw new HttpError(404, '');
    return real;
  }

  async onFilesRead(url: URL, res: http.ServerResponse): Promise<void> {
    // as Mesos: the query is checked before the path (a bad offset is a 400 even for a missing file)
    const offsetRaw = url.searchParams.get('offset');
    const lengthRaw = url.searchParams.get('length');
    let offset = -1;
    if (offsetRaw !== null) {
      offset = Number(offsetRaw);
      if (!Number.isInteger(offset)) throw new HttpError(400, `Failed to parse offset: Failed to convert '${offsetRaw}' to number.\n`);
      if (offset < -1) throw new HttpError(400, `Negative offset provided: ${offset}.\n`);
    }
    let length: number | undefined;
    if (lengthRaw !== null) {
      const l = Number(lengthRaw);
      if (!Number.isInteger(l)) throw new HttpError(400, `Failed to parse length: Failed to convert '${lengthRaw}' to number.\n`);
      if (l < -1) throw new HttpError(400, `Negative length provided: ${l}.\n`);
      if (l >= 0) length = l;
    }
    const file = await this.resolveFilePath(url);
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new HttpError(400, 'Cannot read a directory.\n');
    const size = st.size;
    if (offset === -1) return replyJson(res, 200, { data: '', offset: size });
    if (offset >= size || length === 0) return replyJson(res, 200, { data: '', offset });
    const len = Math.min(length ?? size - offset, 16 * 4096, size - offset);
    const fh = await fs.promises.open(file, 'r');
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      replyJson(res, 200, { data: buf.subarray(0, bytesRead).toString('utf8'), offset });
    } finally {
      await fh.close();
    }
  }

  async onFilesBrowse(url: URL, res: http.ServerResponse): Promise<void> {
    const dir = await this.resolveFilePath(url);
    const st = await fs.promises.stat(dir);
    const requested = url.searchParams.get('path')!;
    const entries = st.isDirectory() ? await fs.promises.readdir(dir) : [path.basename(dir)];
    const base = st.isDirectory() ? dir : path.dirname(dir);
    const reqBase = st.isDirectory() ? requested : path.dirname(requested);
    const out = [];
    for (const name of entries.sort()) {
      try {
        const s = await fs.promises.lstat(path.join(base, name));
        out.push({
          path: path.posix.join(reqBase, name),
          nlink: s.nlink,
          size: s.size,
          mtime: Math.floor(s.mtimeMs / 1000),
          mode: modeString(s),
          uid: String(s.uid),
          gid: String(s.gid),
        });
      } catch {
        /* vanished */
      }
    }
    replyJson(res, 200, out);
  }

  async onFilesDownload(url: URL, res: http.ServerResponse): Promise<void> {
    const file = await this.resolveFilePath(url);
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new HttpError(400, 'Cannot download a directory.\n');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(st.size), 'Content-Disposition': `attachment; filename=${path.basename(file)}` });
    fs.createReadStream(file).pipe(res);
  }
}

function modeString(s: fs.Stats): string {
  const t = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = t;
  for (let i = 0; i < 9; i++) out += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}
