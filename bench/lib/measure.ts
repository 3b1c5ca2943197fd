import { performance } from 'node:perf_hooks';

/** One call of the thing measured; it throws when the reply is wrong. `n` makes each call's argument distinct. */
export type Call = (n: number) => Promise<void>;

export interface Latencies {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** The first failure, to say why a row has errors. */
  firstError?: string;
}

export interface Throughput extends Latencies {
  callsPerSecond: number;
  seconds: number;
}

/** Percentiles and mean of `samples` (milliseconds). */
export function summarize(samples: number[], errors: number, firstError?: string): Latencies {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN);
  const mean = sorted.length ? sorted.reduce((sum, x) => sum + x, 0) / sorted.length : Number.NaN;
  return { count: sorted.length, errors, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean, firstError };
}

/**
 * `workers` loops that each make one call at a time, until `count` calls have been started or
 * `maxMs` has passed: one worker measures latency alone, 32 measure throughput.
 */
async function run(call: Call, count: number, maxMs: number, workers: number): Promise<Throughput> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const begin = performance.now();
  const deadline = begin + maxMs;
  const worker = async () => {
    while (started < count && performance.now() < deadline) {
      const n = started++;
      const sent = performance.now();
      try {
        await call(n);
        samples.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const seconds = (performance.now() - begin) / 1_000;
  return { ...summarize(samples, errors, firstError), callsPerSecond: samples.length / seconds, seconds };
}

export function sequential(call: Call, count: number, maxMs: number): Promise<Latencies> {
  return run(call, count, maxMs, 1);
}

export function loaded(call: Call, count: number, maxMs: number, inFlight: number): Promise<Throughput> {
  return run(call, count, maxMs, inFlight);
}
