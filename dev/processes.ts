/**
 * Process bookkeeping for `npm start` and its smoke test, read from Linux's /proc (no external
 * tools): who is alive, which process group each belongs to, what it runs and where, who listens
 * on a port; and stopping a whole process group without a fixed sleep.
 *
 * Only erasable TypeScript here, so dev/guardian.ts can load this file with Node's own type
 * stripping and start in a few milliseconds.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** Start time in clock ticks after boot: with the pid it names one process, even after pid reuse. */
  startTime: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** Working directory; undefined when /proc does not let us see it. */
  cwd: string | undefined;
}

/** pid → [ppid, pgid, startTime] of a live process (zombies count as gone), from /proc/<pid>/stat. */
function readStat(pid: number): [number, number, number] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return [Number(fields[1]), Number(fields[2]), Number(fields[19])];
}

/** A live process (zombies count as gone), or undefined. */
export function processInfo(pid: number): ProcessInfo | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    /* raced with its exit */
  }
  let cwd: string | undefined;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    cwd = undefined;
  }
  return { pid, ppid: stat[0], pgid: stat[1], startTime: stat[2], command, cwd };
}

/** True while the very process that was recorded (same pid and start time) is still running. */
export function sameProcess(pid: number, startTime: number): boolean {
  return processInfo(pid)?.startTime === startTime;
}

/** Every process id /proc lists. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcessInfo[] {
  const members: ProcessInfo[] = [];
  for (const pid of allPids()) {
    if (readStat(pid)?.[1] !== pgid) continue;
    const info = processInfo(pid);
    if (info?.pgid === pgid) members.push(info);
  }
  return members;
}

/**
 * Our ancestors, nearest first, up to and including the first one `isLauncher` accepts, looking
 * no further than the leader of our own process group. Empty when no such launcher is found.
 */
export function launchChain(isLauncher: (p: ProcessInfo) => boolean): ProcessInfo[] {
  const self = processInfo(process.pid);
  if (!self) return [];
  const chain: ProcessInfo[] = [];
  let next = processInfo(self.ppid);
  while (next && next.pid > 1 && next.pgid === self.pgid) {
    chain.push(next);
    if (isLauncher(next)) return chain;
    if (next.pid === self.pgid) break;
    next = processInfo(next.ppid);
  }
  return [];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `done` every `intervalMs` until it holds (true) or `timeoutMs` passed (false). */
export async function waitUntil(done: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= until) return false;
    await sleep(intervalMs);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* nobody left to signal */
  }
}

export type GroupStop = 'not running' | 'stopped' | 'killed' | 'stuck';

/**
 * Stops every process of a group: SIGTERM, then SIGKILL for whatever is still there after
 * `graceMs`, and returns once no live member is left (or 'stuck' if even SIGKILL did not do it
 * within 3 s, which only a process in uninterruptible sleep can manage).
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<GroupStop> {
  if (!(pgid > 1) || groupMembers(pgid).length === 0) return 'not running';
  const empty = () => groupMembers(pgid).length === 0;
  signalGroup(pgid, 'SIGTERM');
  if (await waitUntil(empty, graceMs)) return 'stopped';
  signalGroup(pgid, 'SIGKILL');
  return (await waitUntil(empty, 3_000)) ? 'killed' : 'stuck';
}

/** Pids listening on a TCP port (any local address, IPv4 or IPv6), as far as /proc shows them. */
export function listeners(port: number): number[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`) && cols[9] && cols[9] !== '0') inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return [];
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids: number[] = [];
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

/** True when nothing listens on the port (also when /proc cannot say who does). */
export function portFree(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`)) return false;
    }
  }
  return true;
}

/** Shortens a command line for messages. */
export function describe(p: ProcessInfo): string {
  const cmd = p.command.length > 120 ? `${p.command.slice(0, 117)}...` : p.command;
  return `pid ${p.pid} (${cmd || '?'})`;
}
