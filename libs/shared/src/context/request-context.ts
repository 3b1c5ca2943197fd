import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What travels with one request through every app: the id its log lines share, and its deadline. */
export interface RequestContext {
  correlationId: string;
  /** Epoch milliseconds after which nobody waits for the answer any more. */
  deadline?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

const correlationIdPattern = /^[\w.:-]{1,128}$/;

/** Accepts a caller's correlation id when it is safe to log, otherwise makes a new one. */
export function correlationIdFrom(candidate: unknown): string {
  return typeof candidate === 'string' && correlationIdPattern.test(candidate) ? candidate : randomUUID();
}
