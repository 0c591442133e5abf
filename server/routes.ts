/**
 * The app's route handlers (app/**\/route.ts) as a table the production server calls directly,
 * without Next.js's request pipeline: the same files, the same `(Request, { params })` functions,
 * matched by the same file-system rules (static segments, `[name]`, `[...rest]`; `(group)`
 * folders leave no segment; `_private` folders are not routes). Pages are not here: Next.js serves
 * them.
 *
 * Why: Next.js costs ~1.7 ms of CPU per API request here (measured: GET /v1/scheduler/leader at
 * ~570 req/s through `next start`, ~2,600 through this table), which capped every REST figure of
 * the scheduler (a burst of 10,000 POSTs, GET /jobs at 100,000 jobs).
 *
 * Chronos also answers every /v1/scheduler path under /scheduler (next.config.js rewrites them):
 * a /scheduler/... path with no route of its own is matched as /v1/scheduler/....
 */
import fs from 'node:fs';
import path from 'node:path';

export type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;
type RouteModule = Record<string, RouteHandler | unknown>;

interface Route {
  re: RegExp;
  names: string[];
  catchAll: boolean[];
  file: string;
  /** Static segments, for ordering: a static route wins over a dynamic one. */
  statics: number;
  mod: RouteModule | null;
}

export interface RouteMatch {
  route: string;
  handler: RouteHandler | null;
  /** The methods the route answers (for a 405's Allow header). */
  methods: string[];
  params: Record<string, string>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export class RouteTable {
  private constructor(private readonly routes: Route[]) {}

  /** Every route.ts under `appDir`, most specific first. */
  static scan(appDir: string): RouteTable {
    const out: Route[] = [];
    const walk = (dir: string, segs: string[]) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) {
          if (e.name.startsWith('_') || e.name === 'node_modules') continue;
          const group = /^\(.*\)$/.test(e.name);
          walk(path.join(dir, e.name), group ? segs : [...segs, e.name]);
        } else if (/^route\.(ts|js|mjs)$/.test(e.name)) {
          const names: string[] = [];
          const catchAll: boolean[] = [];
          let statics = 0;
          const pattern = segs
            .map((s) => {
              const m = /^\[(\.\.\.)?([\w-]+)\]$/.exec(s);
              if (!m) {
                statics++;
                return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
              }
              names.push(m[2]);
              catchAll.push(!!m[1]);
              return m[1] ? '(.+)' : '([^/]+)';
            })
            .join('/');
          out.push({ re: new RegExp(`^/${pattern}/?$`), names, catchAll, file: path.join(dir, e.name), statics, mod: null });
        }
      }
    };
    walk(appDir, []);
    // more static segments first; among equals, fewer parameters first
    out.sort((a, b) => b.statics - a.statics || a.names.length - b.names.length);
    return new RouteTable(out);
  }

  get size(): number {
    return this.routes.length;
  }

  /** Imports every route module now, so no request pays for it. */
  async load(): Promise<void> {
    for (const r of this.routes) r.mod ??= (await import(r.file)) as RouteModule;
  }

  /** The handler of `method` on `pathname`, or null when no route has that path. */
  async match(method: string, pathname: string): Promise<RouteMatch | null> {
    const hit = this.find(pathname) ?? (pathname.startsWith('/scheduler/') ? this.find(`/v1${pathname}`) : null);
    if (!hit) return null;
    const { route, m } = hit;
    route.mod ??= (await import(route.file)) as RouteModule;
    const mod = route.mod;
    const fn = (mod[method] ?? (method === 'HEAD' ? mod.GET : undefined)) as RouteHandler | undefined;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      const raw = m[i + 1];
      params[n] = route.catchAll[i] ? raw.split('/').map(safeDecode).join('/') : safeDecode(raw);
    });
    return {
      route: path.relative(process.cwd(), route.file),
      handler: typeof fn === 'function' ? fn : null,
      methods: METHODS.filter((x) => typeof mod[x] === 'function' || (x === 'HEAD' && typeof mod.GET === 'function')),
      params,
    };
  }

  private find(pathname: string): { route: Route; m: RegExpExecArray } | null {
    for (const route of this.routes) {
      const m = route.re.exec(pathname);
      if (m) return { route, m };
    }
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
