/**
 * Runs one command in a process group of its own and sees to it that the group never outlives
 * the process that started the guardian. `npm start` runs `wrangler dev` through it:
 *
 *   spawn(process.execPath, ['--experimental-strip-types', 'dev/guardian.ts', 'npx', 'wrangler', ...],
 *         { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
 *
 * The guardian stops the whole group (SIGTERM, then SIGKILL after GUARDIAN_GRACE_MS, default
 * 2500) and exits once no member is left, when any of these happens:
 *  - its parent asks, with the IPC message {type: 'stop'};
 *  - its parent is gone, however it died (kill -9 included): the IPC channel closes, and the
 *    guardian is re-parented;
 *  - it gets SIGINT, SIGTERM or SIGHUP.
 * It runs in a process group of its own too, so signals meant for the parent's terminal job
 * (Ctrl-C, a closed terminal) leave it free to do this.
 *
 * Messages to the parent: {type: 'started', pid, pgid}; {type: 'exited', code, signal} when the
 * command ends by itself (the rest of its group is then stopped the same way and the guardian
 * exits with the command's code); {type: 'stopped', result} just before exiting after a stop.
 *
 * Node loads this file with its own type stripping (no tsx), so it starts in milliseconds; keep
 * it to erasable syntax and node: imports plus ./processes.ts.
 */
import { spawn } from 'node:child_process';
import { stopGroup, type GroupStop } from './processes.ts';

const [command, ...args] = process.argv.slice(2);
if (!command || !process.send) {
  console.error('guardian: usage: node dev/guardian.ts <command> [args...], spawned with an IPC channel');
  process.exit(2);
}

const graceMs = Number(process.env.GUARDIAN_GRACE_MS ?? 2_500);
const parentPid = process.ppid;

// Our output may go to a terminal that has just been closed; a failed write must not kill us.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

function tell(message: object): void {
  if (process.connected) process.send?.(message, undefined, {}, () => {});
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const pgid = child.pid;
let stopping: Promise<GroupStop> | undefined;

function stop(): Promise<GroupStop> {
  stopping ??= pgid === undefined ? Promise.resolve<GroupStop>('not running') : stopGroup(pgid, graceMs);
  return stopping;
}

async function shutdown(): Promise<never> {
  const result = await stop();
  tell({ type: 'stopped', result });
  process.exit(0);
}

child.on('error', (err) => {
  tell({ type: 'exited', code: 127, signal: null, error: err.message });
  process.exit(127);
});

child.on('exit', (code, signal) => {
  if (stopping) return;
  tell({ type: 'exited', code, signal });
  // wrangler may leave workerd or esbuild behind; they go with it.
  void stop().then(() => process.exit(code ?? 1));
});

if (pgid !== undefined) tell({ type: 'started', pid: pgid, pgid });

process.on('message', (message: unknown) => {
  if ((message as { type?: string } | null)?.type === 'stop') void shutdown();
});
process.on('disconnect', () => void shutdown());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown());
// Belt and braces for a parent that vanished without the channel noticing.
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown();
}, 500).unref();
