/**
 * CLI: `npm run mesos-local -- [--port 5050] [--agents N] [--scale [AGENTS]] [--heartbeat SECONDS]
 *   [--allocation-interval MS] [--work-dir DIR] [--master-id ID] [--task-duration MS] [--verbose]`.
 * Port from MESOS_LOCAL_PORT or --port (default 5050). Prints one line when listening; exits 1 with
 * a one-line reason when it cannot start (e.g. the port is taken); stops its tasks on SIGINT/SIGTERM.
 */
import { MesosLocal, type MesosLocalOptions } from './master';

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env): MesosLocalOptions {
  const opts: MesosLocalOptions = { port: env.MESOS_LOCAL_PORT ? Number(env.MESOS_LOCAL_PORT) : 5050 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} expects a non-negative number, got '${v ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        opts.port = num(flag, value());
        break;
      case '--host':
        opts.host = value();
        break;
      case '--agents':
        opts.agents = num(flag, value());
        break;
      case '--scale': {
        const next = inline ?? (argv[i + 1] && /^\d+$/.test(argv[i + 1]) ? argv[++i] : undefined);
        opts.scale = { ...(opts.scale ?? {}), agents: next ? num(flag, next) : 1000 };
        break;
      }
      case '--task-duration':
        opts.scale = { agents: opts.scale?.agents ?? 1000, ...opts.scale, taskDurationMs: num(flag, value()) };
        break;
      case '--heartbeat':
        opts.heartbeatIntervalSeconds = num(flag, value());
        break;
      case '--allocation-interval':
        opts.allocationIntervalMs = num(flag, value());
        break;
      case '--work-dir':
        opts.workDir = value();
        break;
      case '--master-id':
        opts.masterId = value();
        break;
      case '--verbose':
        opts.log = (line) => console.error(`[mesos-local] ${line}`);
        break;
      case '--help':
      case '-h':
        console.log('usage: mesos-local [--port N] [--agents N] [--scale [AGENTS]] [--task-duration MS] [--heartbeat S] [--allocation-interval MS] [--work-dir DIR] [--master-id ID] [--verbose]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${argv[i]}'`);
    }
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port > 65535)) throw new Error(`invalid port '${opts.port}'`);
  return opts;
}

async function main(): Promise<void> {
  let opts: MesosLocalOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`mesos-local: ${(err as Error).message}`);
    process.exit(2);
  }
  const master = new MesosLocal(opts);
  try {
    await master.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'EADDRINUSE' ? `port ${opts.port} is already in use` : e.code === 'EACCES' ? `no permission to listen on port ${opts.port}` : e.message;
    console.error(`mesos-local: cannot start: ${reason}`);
    process.exit(1);
  }
  console.log(`mesos-local master listening on ${master.url} (${master.describe()})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    master.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`mesos-local: error while stopping on ${signal}: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const isMain = process.argv[1] && /mesos-local[\\/]main\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) void main();
