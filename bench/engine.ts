/**
 * Micro-benchmark of the slot engine (worker/domain/availability.ts) with tinybench. Pure CPU,
 * no stack needed. Prints a markdown table; `--write` also replaces the section between
 * `<!-- engine:start -->` and `<!-- engine:end -->` in docs/BENCHMARKS.md (appended if missing).
 *
 *   npx tsx bench/engine.ts [--write]
 *
 * The workload is a busy barber-month: 2 rules a day (with a lunch break), ~5 appointments a
 * day, 3 time-off blocks, 15-minute step, 30-minute service, 5-minute buffer after.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import {
  checkSlot,
  clearSlotEngineCache,
  computeSlots,
  workingIntervals,
  type Interval,
  type SlotRules,
} from '../worker/domain/availability.ts';
import { addDays, zonedTimeToUtc, type PlainDate } from '../worker/domain/time.ts';
import { mulberry32 } from './lib.ts';

const MIN = 60_000;
const ZONE = 'America/New_York';

function barber(seed: number, first: PlainDate, days: number): SlotRules {
  const rand = mulberry32(seed);
  const open = 8 * 60 + 30 * Math.floor(rand() * 3); // 08:30, 09:00 or 09:30
  const rules = [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, startMinute: open, endMinute: 12 * 60 + 30 },
    { weekday, startMinute: 13 * 60 + 30, endMinute: 19 * 60 },
  ]);
  const busy: Interval[] = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(first, d);
    for (let k = 0; k < 5; k++) {
      const minute = open + 15 * Math.floor(rand() * ((19 * 60 - open - 45) / 15));
      const start = zonedTimeToUtc(date, minute, ZONE).getTime();
      busy.push({ start, end: start + (rand() < 0.5 ? 30 : 45) * MIN });
    }
  }
  const timeOff: Interval[] = [3, 11, 19].map((d) => {
    const start = zonedTimeToUtc(addDays(first, d), 14 * 60, ZONE).getTime();
    return { start, end: start + 3 * 60 * MIN };
  });
  return {
    timeZone: ZONE,
    rules,
    busy: busy.reverse(), // the engine must not rely on sorted input
    timeOff,
    durationMin: 30,
    bufferBeforeMin: 0,
    bufferAfterMin: 5,
    stepMin: 15,
    minNoticeMin: 60,
    bookingWindowDays: 90,
    now: zonedTimeToUtc(addDays(first, -1), 12 * 60, ZONE).getTime(),
  };
}

const JUNE: PlainDate = { year: 2026, month: 6, day: 1 }; // no DST change
const MARCH: PlainDate = { year: 2026, month: 3, day: 1 }; // holds 2026-03-08
const month = barber(1, JUNE, 30);
const shop = [1, 2, 3, 4, 5, 6].map((seed) => barber(seed, JUNE, 30));
const dstMonth = barber(1, MARCH, 30);
const twoMonths = barber(7, JUNE, 62);
const june30 = addDays(JUNE, 29);
const sampleSlot = computeSlots(month, addDays(JUNE, 14), addDays(JUNE, 14))[3]!.start;

interface Case {
  name: string;
  /** Engine calls per iteration. */
  calls: number;
  /** Forget the remembered zone readings before each iteration (first call of an isolate for that zone). */
  cold?: boolean;
  fn: () => number;
}

const oneMonth = () => computeSlots(month, JUNE, june30).length;
const shopMonth = () => shop.reduce((n, b) => n + computeSlots(b, JUNE, june30).length, 0);
const check = () => (checkSlot(month, sampleSlot) === null ? 1 : 0);
const cases: Case[] = [
  { name: 'computeSlots, 1 barber × 30 days', calls: 1, fn: oneMonth },
  { name: 'computeSlots, 1 barber × 30 days, cold', calls: 1, cold: true, fn: oneMonth },
  { name: 'computeSlots, 6 barbers × 30 days', calls: 6, fn: shopMonth },
  { name: 'computeSlots, 6 barbers × 30 days, cold', calls: 6, cold: true, fn: shopMonth },
  { name: 'computeSlots, 1 barber × 30 days with a DST change', calls: 1, fn: () => computeSlots(dstMonth, MARCH, addDays(MARCH, 29)).length },
  {
    name: 'computeSlots, 1 barber × 30 days with a DST change, cold',
    calls: 1,
    cold: true,
    fn: () => computeSlots(dstMonth, MARCH, addDays(MARCH, 29)).length,
  },
  { name: 'computeSlots, 1 barber × 62 days', calls: 1, fn: () => computeSlots(twoMonths, JUNE, addDays(JUNE, 61)).length },
  { name: 'checkSlot, one start (booking check)', calls: 1, fn: check },
  { name: 'checkSlot, one start, cold', calls: 1, cold: true, fn: check },
  { name: 'workingIntervals, 1 barber × 30 days', calls: 1, fn: () => workingIntervals(month, JUNE, june30).length },
];

const loadBefore = loadavg()[0]!;
const outputs = new Map<string, number>();
const bench = new Bench({ time: 2000, warmupTime: 300 });
for (const c of cases) {
  bench.add(c.name, () => void outputs.set(c.name, c.fn()), c.cold ? { beforeEach: clearSlotEngineCache } : {});
}
await bench.run();

const us = (ms: number) => (ms * 1000).toFixed(1);
const rows: string[] = [];
const perCall = new Map<string, number>();
const medianPerCall = new Map<string, number>();
for (const c of cases) {
  const task = bench.getTask(c.name);
  const r = task?.result;
  if (!r || !('latency' in r)) throw new Error(`no result for ${c.name}`);
  const { latency, throughput } = r;
  const output = outputs.get(c.name) ?? 0;
  if (output <= 0) throw new Error(`${c.name} produced nothing — the workload is broken`);
  perCall.set(c.name, latency.mean / c.calls);
  medianPerCall.set(c.name, latency.p50 / c.calls);
  rows.push(
    `| ${c.name} | ${c.calls} | ${us(latency.mean)} | ${us(latency.p50)} | ${us(latency.p99)} | ${Math.round(throughput.mean).toLocaleString('en-US')} | ${us(latency.mean / c.calls)} | ${output} |`,
  );
}
const figure = (name: string) => `${us(perCall.get(name)!)} µs mean, ${us(medianPerCall.get(name)!)} µs median`;
const warmBarberMonth = figure('computeSlots, 6 barbers × 30 days');
const coldBarberMonth = figure('computeSlots, 1 barber × 30 days, cold');

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const load = `1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
const section = `<!-- engine:start -->
## Slot engine (pure CPU)

Measured with \`npx tsx bench/engine.ts\` (tinybench, ${bench.runtime} ${bench.runtimeVersion}) on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} cores (${cpu}), shared with other work (${load}). Workload: America/New_York, 2 rules a day with a break, ~5 appointments
a day (unsorted input), 3 time-off blocks, 15-minute step, 30-minute service, 5-minute buffer, 60-minute notice. Latency is per
iteration (one row may make several engine calls); µs = microseconds.

| case | calls / iteration | mean µs | p50 µs | p99 µs | iterations/s | mean µs / call | slots (or result) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

**Per barber-month: ${warmBarberMonth} warm** (6-barber case ÷ 6); **${coldBarberMonth} cold** (the first
call for a zone in an isolate). On a loaded machine the mean and p99 carry the time the process spent descheduled; the median
is the steadier figure. "Cold" rows forget the remembered zone readings before every iteration: they pay about 35 Intl offset readings
(\`timeZoneName: 'longOffset'\`, a few µs each; one per day boundary) plus a dozen for the bisection when the month holds a DST
change. Warm rows make no Intl call; what remains is the sweep, linear in days + rules + busy intervals + slots.
<!-- engine:end -->`;

console.log(section);

if (process.argv.includes('--write')) {
  const path = new URL('../docs/BENCHMARKS.md', import.meta.url);
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf('<!-- engine:start -->');
  const end = doc.indexOf('<!-- engine:end -->');
  const next =
    start >= 0 && end > start
      ? doc.slice(0, start) + section + doc.slice(end + '<!-- engine:end -->'.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
  console.log('\nwrote docs/BENCHMARKS.md (engine section)');
}
