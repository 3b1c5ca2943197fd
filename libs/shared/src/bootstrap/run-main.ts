import { ConfigError } from '../config/load-config.js';

let processName = 'dataflow';

/** The name this process was started under, for its log lines: `gateway`, `conversations`, `mcp-broker` or `standalone`. */
export function currentProcessName(): string {
  return processName;
}

/** What a process must close before it exits. */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * Runs a process's main: a bad configuration is reported in plain words (no stack), SIGINT and
 * SIGTERM close what the main returned, in order, and a second signal exits at once.
 */
export function runMain(name: string, main: () => Promise<Closable[]>): void {
  processName = name;
  let closing = false;
  const started = main().catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(`${name}: ${error.message}`);
    else console.error(`${name} failed to start:`, error);
    process.exit(1);
  });
  const shutdown = async (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    const closables = (await started) ?? [];
    const timer = setTimeout(() => {
      console.error(`${name}: did not stop within 15 s of ${signal}; exiting`);
      process.exit(1);
    }, 15_000).unref();
    for (const closable of closables) await closable.close().catch((error: unknown) => console.error(error));
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
