/**
 * What a long-lived Map of requests in flight costs the garbage collector once a full collection
 * has promoted it, beside a ChurningMap doing the same work in the same run.
 *
 *   npm run bench:gc
 *
 * Each row runs simulated calls, 32 at a time. A call allocates a small object graph, files it
 * in the row's Map under a fresh id, and removes it a turn of the event loop later. Before each
 * row the bench forces a full collection, as a quiet spell would bring one in a server.
 * Environment: BENCH_CALLS (default 300000).
 */
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ChurningMap } from '../../libs/shared/src/collections/churning-map.js';

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
const calls = Number(process.env.BENCH_CALLS ?? 300_000);
const inFlight = 32;

interface Filing {
  set(key: string, value: unknown): unknown;
  delete(key: string): boolean;
}

interface Figures {
  ms: number;
  minorGcMs: number;
  minorGcs: number;
  majorGcs: number;
}

async function run(map: Filing): Promise<Figures> {
  const gcs: { kind: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((entry) => gcs.push({ kind: (entry as unknown as { detail: { kind: number } }).detail.kind, duration: entry.duration })));
  fullGc();
  observer.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  let next = 0;
  await new Promise<void>((done) => {
    let running = 0;
    const call = () => {
      if (next >= calls) return void (--running === 0 && done());
      const id = `call-${next++}`;
      map.set(id, { id, rows: Array.from({ length: 40 }, (_, i) => ({ i, text: `row ${i} of ${id}` })) });
      setImmediate(() => {
        map.delete(id);
        call();
      });
    };
    for (; running < inFlight; running++) call();
  });
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const minor = gcs.filter((gc) => gc.kind === constants.NODE_PERFORMANCE_GC_MINOR);
  return { ms, minorGcMs: minor.reduce((sum, gc) => sum + gc.duration, 0), minorGcs: minor.length, majorGcs: gcs.length - minor.length };
}

async function main(): Promise<void> {
  console.log(`${calls} calls, ${inFlight} in flight, after a forced full collection; Node ${process.version}\n`);
  const rows: [string, () => Filing][] = [
    ['Map (baseline)', () => new Map<string, unknown>()],
    ['ChurningMap', () => new ChurningMap<string, unknown>()],
  ];
  const results: [string, Figures][] = [];
  // Each kind twice, interleaved, so that a slow spell of the machine lands on both.
  for (const round of [1, 2]) for (const [label, make] of rows) results.push([`${label}, round ${round}`, await run(make())]);
  console.log('| map                      | calls/s | young GCs | young GC ms | µs of young GC per call | full GCs |');
  console.log('|:-------------------------|--------:|----------:|------------:|------------------------:|---------:|');
  for (const [label, figures] of results) {
    const perSecond = Math.round(calls / (figures.ms / 1000)).toLocaleString('en-US');
    const perCall = ((figures.minorGcMs * 1000) / calls).toFixed(2);
    console.log(`| ${label.padEnd(24)} | ${perSecond.padStart(7)} | ${String(figures.minorGcs).padStart(9)} | ${figures.minorGcMs.toFixed(0).padStart(11)} | ${perCall.padStart(23)} | ${String(figures.majorGcs).padStart(8)} |`);
  }
}

await main();
