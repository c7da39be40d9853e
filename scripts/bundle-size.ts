/**
 * The Worker's upload size and startup CPU, as Cloudflare would see them, against the budget.
 *
 *   npm run bundle:size    (after `npm run build`; CI runs it last and fails over budget)
 *
 * Upload size: `wrangler deploy --dry-run` builds exactly what would be uploaded and reports its
 * size raw and gzipped — the gzipped figure is the one Cloudflare's script size limit counts.
 * Startup: `wrangler check startup` runs the bundle's top level in a local workerd and writes a
 * CPU profile; its busy time (samples outside "(idle)") is what every cold isolate pays before the
 * first request, on this machine's CPU.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** KiB gzipped. docs/BENCHMARKS.md says what the bundle is made of and what was cut to fit. */
export const BUNDLE_BUDGET_KIB = 450;

export interface BundleSize {
  rawKiB: number;
  gzipKiB: number;
}

export interface StartupCpu {
  /** From the first to the last sample. */
  profileMs: number;
  /** Time in samples that are not idle: the top-level evaluation itself. */
  busyMs: number;
}

function wrangler(args: string[]): string {
  return execFileSync('npx', ['wrangler', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
}

export function measureBundle(): BundleSize {
  const out = mkdtempSync(join(tmpdir(), 'bb-bundle-'));
  try {
    const log = wrangler(['deploy', '--dry-run', '--outdir', out]);
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
    if (!m) throw new Error(`wrangler deploy --dry-run printed no upload size:\n${log}`);
    return { rawKiB: Number(m[1]), gzipKiB: Number(m[2]) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function measureStartup(): StartupCpu {
  const dir = mkdtempSync(join(tmpdir(), 'bb-startup-'));
  const file = join(dir, 'startup.cpuprofile');
  try {
    wrangler(['check', 'startup', '--outfile', file]);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    let busy = 0;
    profile.samples.forEach((id, i) => {
      if (!idle.has(id)) busy += profile.timeDeltas[i] ?? 0;
    });
    return { profileMs: (profile.endTime - profile.startTime) / 1000, busyMs: busy / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = measureBundle();
  const startup = measureStartup();
  const within = size.gzipKiB <= BUNDLE_BUDGET_KIB;
  console.log(`worker bundle: ${size.rawKiB.toFixed(0)} KiB raw, ${size.gzipKiB.toFixed(1)} KiB gzipped (budget ${BUNDLE_BUDGET_KIB} KiB: ${within ? 'within' : 'OVER'})`);
  console.log(`startup CPU: ${startup.busyMs.toFixed(0)} ms busy in a ${startup.profileMs.toFixed(0)} ms profile (wrangler check startup, this machine)`);
  if (!within) process.exit(1);
}
