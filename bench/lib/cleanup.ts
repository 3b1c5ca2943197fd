import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, killSurvivors } from './process-table.js';

export interface CleanupOptions {
  /** The bench's own stop (its clients, the processes it started, its database); runs once. */
  stop: () => Promise<void>;
  /** After this long the bench gives up: it stops and exits 1. */
  watchdogMs: number;
  /** What stopping does, in the message on Ctrl-C or SIGTERM: "stopping every process the bench started". */
  onSignal: string;
  /**
   * No process the bench started outlives it: after `stop`, those still running 3 s later are
   * killed, and so is any still running when this process exits.
   */
  killLeftovers?: boolean;
  /** A scratch folder, removed last. */
  scratch?: string;
}

export interface Cleanup {
  /** Stops everything once, however often it is called: at the end of the run, on Ctrl-C or SIGTERM, by the watchdog. */
  stopAll(): Promise<void>;
  /** Whether stopping has begun, so that a loop of measurements ends early. */
  readonly stopping: boolean;
}

const duration = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1_000} s`);

/**
 * How a bench ends, whichever way it ends: the bench's stop, once; on Ctrl-C, SIGTERM or the
 * watchdog, that stop and then an exit with 130, 143 or 1. Call it at the start of `main`, and
 * `stopAll` in its `finally`.
 */
export function cleanupOnEnd(options: CleanupOptions): Cleanup {
  let stopping: Promise<void> | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      clearTimeout(watchdog);
      const started = options.killLeftovers ? descendantsOf(process.pid) : [];
      await options.stop();
      if (options.killLeftovers) {
        const deadline = Date.now() + 3_000;
        while (Date.now() < deadline && descendantsOf(process.pid).length) await sleep(100);
        const killed = killSurvivors(started);
        if (killed.length) console.error(`  Killed ${killed.length} process(es) still running after their parent stopped: ${killed.map((c) => c.slice(0, 120)).join('; ')}`);
      }
      if (options.scratch) rmSync(options.scratch, { recursive: true, force: true });
    })());
  // A last resort if this process ends in a way that skips stopAll.
  if (options.killLeftovers) process.once('exit', () => killSurvivors(descendantsOf(process.pid)));
  const abort = (message: string, code: number) => {
    console.error(`\n${message}`);
    void stopAll().finally(() => process.exit(code));
  };
  watchdog = setTimeout(() => abort(`The bench did not finish within ${duration(options.watchdogMs)}; stopping.`, 1), options.watchdogMs);
  process.once('SIGINT', () => abort(`Interrupted: ${options.onSignal}.`, 130));
  process.once('SIGTERM', () => abort(`Terminated: ${options.onSignal}.`, 143));
  return {
    stopAll,
    get stopping() {
      return stopping !== undefined;
    },
  };
}
