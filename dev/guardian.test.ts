// @vitest-environment node
/**
 * dev/guardian.ts keeps a process group from outliving whoever started the guardian. Each case
 * starts a small parent that spawns the guardian (as dev/start.ts does) over a shell whose
 * group has several processes, ends that parent in a different way, and waits for the group to
 * be empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { groupMembers, processInfo, waitUntil } from './processes.ts';

const guardian = fileURLToPath(new URL('./guardian.ts', import.meta.url));

/** The parent: spawns the guardian, prints its messages as JSON lines, obeys "stop" on stdin. */
const parentSource = `
const { spawn } = require('node:child_process');
const [guardian, ...cmd] = process.argv.slice(1);
const g = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', guardian, ...cmd],
  { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, GUARDIAN_GRACE_MS: '1000' } });
g.on('message', (m) => console.log(JSON.stringify({ ...m, guardian: g.pid })));
g.on('exit', (code) => console.log(JSON.stringify({ type: 'guardian-exit', code })));
process.stdin.on('data', (d) => { if (String(d).includes('stop')) g.send({ type: 'stop' }); });
`;

interface Run {
  parent: ChildProcess;
  messages: Record<string, unknown>[];
  pgid: number;
  guardianPid: number;
}

const runs: Run[] = [];

async function startParent(shell: string): Promise<Run> {
  const parent = spawn(process.execPath, ['-e', parentSource, guardian, 'sh', '-c', shell], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const messages: Record<string, unknown>[] = [];
  let buffer = '';
  parent.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      messages.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
  });
  const started = () => messages.find((m) => m.type === 'started');
  expect(await waitUntil(() => started() !== undefined, 10_000, 20)).toBe(true);
  const { pgid, guardian: guardianPid } = started() as { pgid: number; guardian: number };
  // The shell has forked its two sleeps once three members are live.
  expect(await waitUntil(() => groupMembers(pgid).length >= 3, 5_000, 20)).toBe(true);
  const run = { parent, messages, pgid, guardianPid };
  runs.push(run);
  return run;
}

async function secondsUntilGone(run: Run, limitMs: number): Promise<number> {
  const began = Date.now();
  const gone = await waitUntil(
    () => groupMembers(run.pgid).length === 0 && processInfo(run.guardianPid) === undefined,
    limitMs,
    20,
  );
  expect(gone, `group ${run.pgid} or guardian ${run.guardianPid} still running`).toBe(true);
  return (Date.now() - began) / 1000;
}

afterEach(() => {
  for (const run of runs.splice(0)) {
    for (const target of [-run.pgid, run.guardianPid, run.parent.pid!]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});

describe('guardian', () => {
  it('stops the group when its parent is killed with SIGKILL', async () => {
    const run = await startParent('sleep 300 & sleep 300; wait');
    run.parent.kill('SIGKILL');
    expect(await secondsUntilGone(run, 3_000)).toBeLessThan(3);
  });

  it('escalates to SIGKILL for members that ignore SIGTERM', async () => {
    const run = await startParent("trap '' TERM; sleep 300 & sleep 300; wait");
    run.parent.kill('SIGKILL');
    // GUARDIAN_GRACE_MS is 1000 here.
    const seconds = await secondsUntilGone(run, 5_000);
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(4);
  });

  it('stops the group when asked, and says so', async () => {
    const run = await startParent('sleep 300 & sleep 300; wait');
    run.parent.stdin!.write('stop\n');
    await secondsUntilGone(run, 3_000);
    expect(await waitUntil(() => run.messages.some((m) => m.type === 'stopped'), 2_000, 20)).toBe(true);
    expect(run.messages.find((m) => m.type === 'stopped')).toMatchObject({ result: 'stopped' });
  });

  it('stops the group on SIGHUP', async () => {
    const run = await startParent('sleep 300 & sleep 300; wait');
    process.kill(run.guardianPid, 'SIGHUP');
    await secondsUntilGone(run, 3_000);
  });

  it('reports a command that exits by itself and takes the rest of its group along', async () => {
    const run = await startParent('sleep 300 & sleep 0.3; exit 3');
    await secondsUntilGone(run, 4_000);
    await waitUntil(() => run.messages.some((m) => m.type === 'guardian-exit'), 2_000, 20);
    expect(run.messages.find((m) => m.type === 'exited')).toMatchObject({ code: 3 });
    expect(run.messages.find((m) => m.type === 'guardian-exit')).toMatchObject({ code: 3 });
  });
});
