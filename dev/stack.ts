/**
 * The running stack's record and the clean-up of a crashed one.
 *
 * `npm start` writes `.data/stack.json` (its own pid, the guardian's pid and wrangler's process
 * group, each pid with its start time so a reused pid is never mistaken for ours) and removes it
 * when it stops. The next `npm start` calls `reclaimStaleStack` first:
 *  - the recorded `npm start` is still running → it stops with a message saying how to stop that
 *    one (never kills a live stack);
 *  - it is gone → whatever it recorded that is still alive is stopped, after checking that every
 *    process of the group is this checkout's wrangler/workerd/esbuild;
 *  - a port we need is still held → if the holder's process group is provably a wrangler that
 *    `npm start` launched from this checkout (only it passes `--persist-to <checkout>/.data/wrangler`,
 *    and every member runs from this checkout), that group is stopped; anything else ends the
 *    start with a message naming the process and the command to stop it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  describe,
  groupMembers,
  listeners,
  portFree,
  processInfo,
  stopGroup,
  waitUntil,
  type ProcessInfo,
} from './processes.ts';

export interface RecordedProcess {
  pid: number;
  startTime: number;
}

export interface StackRecord {
  /** The checkout, with a trailing slash. */
  root: string;
  start: RecordedProcess;
  guardian?: RecordedProcess;
  wranglerPgid?: number;
  ports: number[];
  startedAt: string;
}

/** A stack we must not (or cannot prove we may) stop is in the way; the message says what to do. */
export class StackInUse extends Error {}

export function stackRecordPath(root: string): string {
  return `${root}.data/stack.json`;
}

export function readStackRecord(path: string): StackRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(path, 'utf8')) as StackRecord;
    return typeof rec?.start?.pid === 'number' ? rec : undefined;
  } catch {
    return undefined;
  }
}

export function writeStackRecord(path: string, rec: StackRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(rec, null, 2)}\n`);
}

/** Removes the record, but only if it is still the one this process wrote. */
export function removeStackRecord(path: string, startPid: number): void {
  if (readStackRecord(path)?.start.pid === startPid) rmSync(path, { force: true });
}

export function recorded(p: ProcessInfo): RecordedProcess {
  return { pid: p.pid, startTime: p.startTime };
}

const TOOLING = /wrangler|workerd|esbuild/;

/** One of this checkout's wrangler tree: its tooling, run from or installed in this checkout. */
export function isCheckoutTooling(p: ProcessInfo, root: string): boolean {
  const dir = root.replace(/\/+$/, '');
  return TOOLING.test(p.command) && (p.cwd === dir || p.command.includes(`${dir}/node_modules/`));
}

/** The mark only `npm start` puts on wrangler's command line. */
export function launchedByNpmStart(p: ProcessInfo, root: string): boolean {
  const dir = root.replace(/\/+$/, '');
  return /\bwrangler\b/.test(p.command) && p.command.includes(`--persist-to ${dir}/.data/wrangler`);
}

const GRACE_MS = 2_500;

export async function reclaimStaleStack(opts: {
  root: string;
  ports: number[];
  log: (line: string) => void;
}): Promise<void> {
  const { root, log } = opts;
  const path = stackRecordPath(root);
  const rec = readStackRecord(path);
  if (rec) {
    const start = processInfo(rec.start.pid);
    if (start && start.startTime === rec.start.startTime) {
      throw new StackInUse(
        `BookedBarber is already running from this checkout (npm start, pid ${start.pid}).\n` +
          `  Stop it with Ctrl-C in its terminal, or: kill ${start.pid}`,
      );
    }
    const guardian = rec.guardian && processInfo(rec.guardian.pid);
    if (guardian && guardian.startTime === rec.guardian?.startTime) {
      log(`▶ stopping the guardian an earlier npm start left running (pid ${guardian.pid})`);
      process.kill(guardian.pid, 'SIGTERM'); // it stops wrangler's group itself, then exits
      if (!(await waitUntil(() => processInfo(guardian.pid)?.startTime !== guardian.startTime, GRACE_MS + 4_000))) {
        process.kill(guardian.pid, 'SIGKILL');
      }
    }
    if (rec.wranglerPgid) {
      const members = groupMembers(rec.wranglerPgid);
      // A group whose members are not all our tooling is no longer the one we recorded.
      if (members.length > 0 && members.every((p) => isCheckoutTooling(p, root))) {
        log(`▶ stopping what an earlier npm start left running (wrangler process group ${rec.wranglerPgid}, ${members.length} processes)`);
        await stopGroup(rec.wranglerPgid, GRACE_MS);
      }
    }
    rmSync(path, { force: true });
  }

  for (const port of opts.ports) {
    if (portFree(port)) continue;
    const holders = listeners(port)
      .map(processInfo)
      .filter((p): p is ProcessInfo => p !== undefined);
    if (holders.length === 0) {
      throw new StackInUse(
        `127.0.0.1:${port} is in use by a process npm start cannot see.\n  \`ss -ltnp 'sport = :${port}'\` names it.`,
      );
    }
    const groups = new Map(holders.map((h) => [h.pgid, h]));
    for (const holder of groups.values()) {
      const members = groupMembers(holder.pgid);
      if (members.length === 0) continue; // gone meanwhile
      const ours = members.every((p) => isCheckoutTooling(p, root)) && members.some((p) => launchedByNpmStart(p, root));
      if (!ours) {
        throw new StackInUse(
          `127.0.0.1:${port} is in use by ${describe(holder)}, which is not a stack npm start can prove it started.\n` +
            `  Stop it with: kill ${holder.pid}   (or choose other ports: PORT, PLANE_NEON_PORT, PLANE_UPSTASH_PORT, PLANE_STRIPE_PORT)`,
        );
      }
      log(`▶ stopping a wrangler an earlier npm start left on 127.0.0.1:${port} (process group ${holder.pgid}, ${members.length} processes)`);
      await stopGroup(holder.pgid, GRACE_MS);
    }
    if (!(await waitUntil(() => portFree(port), 3_000))) {
      throw new StackInUse(`127.0.0.1:${port} is still in use after stopping the stack left behind there`);
    }
  }
}
