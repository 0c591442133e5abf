/**
 * Preloaded (`node --require`) into every process the bench starts (mesos-local, `next build`,
 * the server (`server/main.ts`)): when the bench process is gone — interrupted, killed with SIGKILL, its terminal
 * closed — this process kills its own process group and exits, so no the server (`server/main.ts`) outlives the
 * bench. The bench's own signal handlers cover the orderly cases; this covers the rest.
 * BENCH_PARENT_PID names the bench process; without it this file does nothing.
 */
'use strict';
const parent = Number(process.env.BENCH_PARENT_PID);
if (Number.isInteger(parent) && parent > 1 && parent !== process.pid) {
  const alive = () => {
    try {
      process.kill(parent, 0);
      return true;
    } catch (e) {
      return e && e.code === 'EPERM';
    }
  };
  const timer = setInterval(() => {
    if (alive()) return;
    try {
      process.kill(-process.pid, 'SIGKILL'); // our group (the bench starts each child detached)
    } catch {
      // not a group leader (a grandchild): just this process
    }
    process.exit(1);
  }, 1000);
  timer.unref();
}
