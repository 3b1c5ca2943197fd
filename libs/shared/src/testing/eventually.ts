import { setTimeout as sleep } from 'node:timers/promises';

/** Retries an assertion until it holds or the time is up; the last failure is thrown. */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(everyMs);
    }
  }
}
