// mesos-local's launcher: a small process of its own that forks the agent's task processes, as a
// Mesos agent's executors are processes apart from the master. Node's spawn blocks its caller for
// the whole fork+exec (several ms per task on small VMs); here that time is not taken from the
// master's event loop (offers, status updates, the HTTP API). Plain JavaScript, no loader, so it
// starts in a few tens of ms and stays small (a small process forks faster).
//
// Protocol over the IPC channel (JSON), from the agent:
//   { op: 'spawn', id, file, args, cwd, env, stdout, stderr }   stdout/stderr: files to append to
// and back, for each id, in order: { id, ev: 'spawn', pid } then { id, ev: 'exit', code, signal },
// or { id, ev: 'error', message } when the process could not be started.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const send = (m) => {
  if (process.connected) process.send(m);
};

process.on('message', (m) => {
  if (!m || m.op !== 'spawn') return;
  let out;
  let err;
  let child;
  try {
    out = fs.openSync(m.stdout, 'a');
    err = fs.openSync(m.stderr, 'a');
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, stdio: ['ignore', out, err], detached: true });
  } catch (e) {
    send({ id: m.id, ev: 'error', message: e && e.message ? e.message : String(e) });
    return;
  } finally {
    if (out !== undefined) fs.closeSync(out);
    if (err !== undefined) fs.closeSync(err);
  }
  let spawned = false;
  child.once('spawn', () => {
    spawned = true;
    send({ id: m.id, ev: 'spawn', pid: child.pid });
  });
  child.once('error', (e) => {
    if (!spawned) send({ id: m.id, ev: 'error', message: e.message });
  });
  child.once('exit', (code, signal) => send({ id: m.id, ev: 'exit', code, signal }));
});

// The agent went away: its tasks are its business (they run detached, as under a real agent).
process.on('disconnect', () => process.exit(0));
