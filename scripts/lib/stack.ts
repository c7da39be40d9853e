/**
 * `npm start` driven from a script, the way a terminal would: started detached (its own process
 * group), ready when it prints "BookedBarber is running at", stopped by signalling that group,
 * and checked until nothing of it is left — npm's group, the recorded start and guardian
 * processes, wrangler's group, any wrangler/workerd this checkout's `npm start` launched, and the
 * ports 8787 and 4444–4446. The smoke test, the browser suite and the client measurements share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allPids, describe, groupMembers, listeners, processInfo, sameProcess, sleep, type ProcessInfo } from '../../dev/processes.ts';
import { isCheckoutTooling, launchedByNpmStart, readStackRecord, stackRecordPath, type StackRecord } from '../../dev/stack.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const origin = 'http://127.0.0.1:8787';
export const ports = [8787, 4444, 4445, 4446];
export const READY = 'BookedBarber is running at';
export const WRANGLER_STARTED = /wrangler dev started \(process group (\d+)/;
const START_BUDGET_MS = 180_000;
const CLEAN_BUDGET_MS = 5_000;

/** Something about the stack went wrong; the message says what, with npm start's output if useful. */
export class StackError extends Error {}

export interface Run {
  child: ChildProcess;
  /** npm's pid, which is also its process group (spawned detached, as a terminal would). */
  npmPid: number;
  output: () => string;
  /** What npm start recorded in .data/stack.json once wrangler started. */
  record?: StackRecord;
  wranglerPgid?: number;
  secondsToReady?: number;
}

let current: Run | undefined;

/** Every wrangler process group any run reported, so a failure can clean up after all of them. */
const wranglerGroups = new Set<number>();

/**
 * Starts `npm start` and returns once `marker` appears in its output (by default: ready).
 * `echo` receives npm start's output as it comes, for runs that show it.
 */
export async function startStack(
  opts: { marker?: string | RegExp; echo?: (chunk: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const marker = opts.marker ?? READY;
  const began = Date.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  let output = '';
  const take = (d: Buffer) => {
    const text = d.toString();
    output += text;
    opts.echo?.(text);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const run: Run = { child, npmPid: child.pid!, output: () => output };
  current = run;
  const seen = () => (typeof marker === 'string' ? output.includes(marker) : marker.test(output));
  while (!seen()) {
    if (child.exitCode !== null) throw new StackError(`npm start exited early:\n${output}`);
    if (Date.now() - began > START_BUDGET_MS) {
      throw new StackError(`npm start did not print ${marker} within ${START_BUDGET_MS / 1000} s:\n${output}`);
    }
    await sleep(100);
  }
  const pgid = Number(WRANGLER_STARTED.exec(output)?.[1]);
  if (pgid) {
    run.wranglerPgid = pgid;
    wranglerGroups.add(pgid);
    run.record = readStackRecord(stackRecordPath(root));
    if (run.record?.wranglerPgid !== pgid) throw new StackError(`.data/stack.json does not record wrangler's process group ${pgid}`);
  }
  if (marker === READY) run.secondsToReady = (Date.now() - began) / 1000;
  return run;
}

/** Our wrangler and workerd, found by what they run rather than by who started them. */
function checkoutWranglers(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of allPids()) {
    const p = processInfo(pid);
    if (!p) continue;
    if (launchedByNpmStart(p, root)) found.push(p);
    else if (p.command.includes(`${root}node_modules/`) && p.command.includes('workerd') && p.command.includes('entry=127.0.0.1:8787')) {
      found.push(p);
    }
  }
  return found;
}

/** Listeners on the stack's ports, as readable lines; empty when all are free. */
export function portHolders(): string[] {
  const held: string[] = [];
  for (const port of ports) {
    for (const pid of listeners(port)) {
      const p = processInfo(pid);
      held.push(`127.0.0.1:${port} held by ${p ? describe(p) : `pid ${pid}`}`);
    }
  }
  return held;
}

/** Everything of `run` still alive, as readable lines; empty once it is all gone. */
export function leftovers(run: Run, { wranglerOnly = false } = {}): string[] {
  const left: string[] = [];
  const wranglerSide = [...(run.wranglerPgid ? groupMembers(run.wranglerPgid) : []), ...checkoutWranglers()];
  for (const p of new Map(wranglerSide.map((x) => [x.pid, x])).values()) left.push(`wrangler side: ${describe(p)}`);
  if (wranglerOnly) return left;
  for (const p of groupMembers(run.npmPid)) left.push(`npm start's group: ${describe(p)}`);
  for (const rec of [run.record?.start, run.record?.guardian]) {
    const p = rec && processInfo(rec.pid);
    if (p && p.startTime === rec.startTime && p.pgid !== run.npmPid) left.push(`recorded: ${describe(p)}`);
  }
  left.push(...portHolders());
  return left;
}

export interface Stopped {
  /** Milliseconds until no wrangler/workerd of the run was left. */
  wranglerGoneMs: number;
  /** Milliseconds until nothing of the run was left and the ports were free. */
  totalMs: number;
}

/** Sends `action` (by default Ctrl-C to npm's group), then waits until nothing of the run is left. */
export async function stopStack(run: Run, action: () => void = ctrlC(run)): Promise<Stopped> {
  const began = Date.now();
  action();
  let wranglerGoneMs: number | undefined;
  for (;;) {
    const elapsed = Date.now() - began;
    if (wranglerGoneMs === undefined && leftovers(run, { wranglerOnly: true }).length === 0) wranglerGoneMs = elapsed;
    const left = leftovers(run);
    if (left.length === 0) break;
    if (elapsed > CLEAN_BUDGET_MS) {
      throw new StackError(`still running ${CLEAN_BUDGET_MS / 1000} s later:\n  ${left.join('\n  ')}\n--- output ---\n${run.output()}`);
    }
    await sleep(100);
  }
  if (current === run) current = undefined;
  return { wranglerGoneMs: wranglerGoneMs ?? 0, totalMs: Date.now() - began };
}

/** What Ctrl-C in a terminal does: SIGINT to the foreground process group. */
export const ctrlC = (run: Run) => () => process.kill(-run.npmPid, 'SIGINT');

/** Leaves nothing of a failed run behind (SIGKILL), so it does not block the next `npm start`. */
export function emergencyStop(): void {
  const kill = (target: number) => {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  if (current) {
    kill(-current.npmPid);
    for (const rec of [current.record?.start, current.record?.guardian]) if (rec && sameProcess(rec.pid, rec.startTime)) kill(rec.pid);
  }
  for (const pgid of wranglerGroups) {
    const members = groupMembers(pgid);
    if (members.length > 0 && members.every((p) => isCheckoutTooling(p, root))) kill(-pgid);
  }
}

/** The run in progress, if any (for signal handlers that must stop it). */
export function currentRun(): Run | undefined {
  return current;
}

const DATA = `${root}.data`;
const KEPT = `${root}.data.kept`;

/**
 * A fresh `.data/` for this run (a brand-new database, seeded from scratch, as on a new machine),
 * with the developer's own kept aside in `.data.kept/` and put back by the returned function.
 * Refuses while a stack of this checkout runs (its data is open) or the ports are taken. A
 * `.data.kept/` found on entry is what an interrupted run did not put back: it is restored first.
 */
export function freshDataDir(): () => void {
  const rec = readStackRecord(stackRecordPath(root));
  if (rec && sameProcess(rec.start.pid, rec.start.startTime)) {
    throw new StackError(`BookedBarber is already running from this checkout (npm start, pid ${rec.start.pid}); stop it first`);
  }
  const held = portHolders();
  if (held.length > 0) throw new StackError(`the stack's ports are in use:\n  ${held.join('\n  ')}`);
  if (existsSync(KEPT)) {
    rmSync(DATA, { recursive: true, force: true });
    renameSync(KEPT, DATA);
  }
  const kept = existsSync(DATA);
  if (kept) renameSync(DATA, KEPT);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    rmSync(DATA, { recursive: true, force: true });
    if (kept) renameSync(KEPT, DATA);
  };
}
