import type { RequestContext } from '../context/request-context.js';

/** A request or event as it travels between apps, in either topology. */
export interface RequestEnvelope {
  id: string;
  pattern: string;
  data: unknown;
  /** Where the reply goes. Absent for events, which get no reply. */
  replyTo?: string;
  context: RequestContext;
}

/** One reply to a request. A request's last reply has `isDisposed` set. */
export interface ReplyEnvelope {
  id: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

export type ReplyBody = Omit<ReplyEnvelope, 'id'>;

/** Both topologies carry JSON, so a value looks the same to a handler whichever one carried it. */
export function throughJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
