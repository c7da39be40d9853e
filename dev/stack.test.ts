// @vitest-environment node
/**
 * dev/stack.ts: what a new `npm start` does about an earlier one. Each case uses a throw-away
 * "checkout" directory and stand-in processes (node, with "wrangler" on their command line and
 * the checkout as their working directory), never the real stack.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupMembers, processInfo, waitUntil } from './processes.ts';
import { reclaimStaleStack, recorded, stackRecordPath, StackInUse, writeStackRecord } from './stack.ts';

let root: string;
const groups: number[] = [];
const servers: Server[] = [];

beforeEach(() => {
  root = `${realpathSync(mkdtempSync(join(tmpdir(), 'bb-stack-')))}/`;
});

afterEach(async () => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  rmSync(root, { recursive: true, force: true });
});

/** A detached stand-in whose command line says `marker`, in a process group of its own. */
async function standIn(marker: string, cwd = root): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
  const pgid = child.pid!;
  groups.push(pgid);
  expect(await waitUntil(() => processInfo(pgid)?.command.includes(marker) === true, 5_000, 20)).toBe(true);
  return pgid;
}

async function deadPid(): Promise<{ pid: number; startTime: number }> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  const startTime = processInfo(pid)?.startTime ?? 1;
  await new Promise((r) => child.on('exit', r));
  return { pid, startTime };
}

const quiet = { log: () => {} };

describe('reclaimStaleStack', () => {
  it('refuses to touch a stack whose npm start is still running, and says how to stop it', async () => {
    writeStackRecord(stackRecordPath(root), { root, start: recorded(processInfo(process.pid)!), ports: [], startedAt: '' });
    const attempt = reclaimStaleStack({ root, ports: [], ...quiet });
    await expect(attempt).rejects.toThrow(StackInUse);
    await expect(attempt).rejects.toThrow(new RegExp(`already running .*pid ${process.pid}[\\s\\S]*kill ${process.pid}`));
    expect(existsSync(stackRecordPath(root))).toBe(true);
  });

  it('stops the wrangler group a crashed npm start recorded, and removes the record', async () => {
    const pgid = await standIn('wrangler-dev-stand-in');
    writeStackRecord(stackRecordPath(root), { root, start: await deadPid(), wranglerPgid: pgid, ports: [], startedAt: '' });
    const lines: string[] = [];
    await reclaimStaleStack({ root, ports: [], log: (l) => lines.push(l) });
    expect(groupMembers(pgid)).toEqual([]);
    expect(lines.join('\n')).toMatch(new RegExp(`wrangler process group ${pgid}`));
    expect(existsSync(stackRecordPath(root))).toBe(false);
  });

  it('leaves a recorded group alone once it holds anything but this checkout\'s tooling', async () => {
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'bb-other-')));
    try {
      const pgid = await standIn('wrangler-dev-stand-in', elsewhere);
      writeStackRecord(stackRecordPath(root), { root, start: await deadPid(), wranglerPgid: pgid, ports: [], startedAt: '' });
      await reclaimStaleStack({ root, ports: [], ...quiet });
      expect(groupMembers(pgid)).toHaveLength(1);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('names the process holding a port it cannot prove is ours, with the command to stop it', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const attempt = reclaimStaleStack({ root, ports: [port], ...quiet });
    await expect(attempt).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port} is in use by pid ${process.pid} [\\s\\S]*kill ${process.pid}`));
  });

  it('passes when nothing is recorded and the ports are free', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    await expect(reclaimStaleStack({ root, ports: [port], ...quiet })).resolves.toBeUndefined();
  });
});
