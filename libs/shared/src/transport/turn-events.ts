import { Redis } from 'ioredis';
import type { LoggedTurnEvent, TurnEvent } from '../contracts/turn-events.js';
import type { TurnControl } from '../contracts/turns.contract.js';

/** How long a finished turn's events stay for late readers. */
const keepFinishedMs = 60 * 60_000;
/** A turn that never finishes (its gateway died) is dropped after this. */
const keepUnfinishedMs = 24 * 60 * 60_000;

/**
 * The events of each chat turn, in order, with ids: written by the gateway replica that runs the
 * turn, read by any replica that streams it, replayed from any id. A Redis stream per turn when
 * the apps share Redis; memory when they share one process.
 */
export interface TurnEventLog {
  /** Adds an event and resolves with its id. One turn's events land in call order, whether or not each append is awaited. */
  append(turnId: string, event: TurnEvent): Promise<string>;
  /** Whether the turn has a log (it started, and was not dropped yet). */
  exists(turnId: string): Promise<boolean>;
  /** The turn's events from its first, then new ones as they come, until `done` or `signal`. */
  read(turnId: string, signal: AbortSignal): AsyncIterable<LoggedTurnEvent>;
  /** The turn's events so far, without waiting for more. */
  snapshot(turnId: string): Promise<LoggedTurnEvent[]>;
  /** A conversation's turns still in the log, oldest first: each one's `start` event and, once it ended, its `done`. */
  turnsOf(conversationId: string): Promise<{ start: LoggedTurnEvent; done?: LoggedTurnEvent }[]>;
  /** Tells every replica (the one that runs the turn acts on it): at most once, not kept. */
  control(message: TurnControl): Promise<void>;
  onControl(listener: (message: TurnControl) => void): void;
  close(): Promise<void>;
}

/** Idle reader connections a gateway keeps for the next streams. */
const maxIdleReaders = 16;

export class RedisTurnEventLog implements TurnEventLog {
  private readonly writer: Redis;
  private subscriber?: Redis;
  private readonly idleReaders: Redis[] = [];

  constructor(
    private readonly url: string,
    private readonly keyPrefix: string,
  ) {
    // Events of one tick (a tool's result and its table, say) go out in one write.
    this.writer = new Redis(url, { connectionName: 'turn-events', maxRetriesPerRequest: 3, enableAutoPipelining: true });
    this.writer.on('error', () => undefined);
  }

  private key(turnId: string): string {
    return `${this.keyPrefix}:turn:${turnId}`;
  }

  private conversationKey(conversationId: string): string {
    return `${this.keyPrefix}:conversation-turns:${conversationId}`;
  }

  async append(turnId: string, event: TurnEvent): Promise<string> {
    const key = this.key(turnId);
    // Every command goes out on the one auto-pipelined connection in call order, so a turn's events
    // land in the order they were appended whether or not each is awaited. The key's lifetime is set
    // by the first event and the last; a conversation's turns are listed for a second tab to find
    // the one running.
    const writes: Promise<unknown>[] = [this.writer.xadd(key, '*', 'e', JSON.stringify(event))];
    if (event.type === 'start' || event.type === 'done') writes.push(this.writer.pexpire(key, event.type === 'done' ? keepFinishedMs : keepUnfinishedMs));
    if (event.type === 'start') {
      const turns = this.conversationKey(event.conversationId);
      writes.push(this.writer.zadd(turns, Date.now(), turnId), this.writer.pexpire(turns, keepUnfinishedMs));
    }
    const [id] = await Promise.all(writes);
    return id as string;
  }

  async turnsOf(conversationId: string): Promise<{ start: LoggedTurnEvent; done?: LoggedTurnEvent }[]> {
    const turnIds = await this.writer.zrange(this.conversationKey(conversationId), -20, -1);
    const ends = await Promise.all(
      turnIds.map(async (turnId) => {
        const [first, last] = (await Promise.all([this.writer.xrange(this.key(turnId), '-', '+', 'COUNT', 1), this.writer.xrevrange(this.key(turnId), '+', '-', 'COUNT', 1)])) as [string, string[]][][];
        const logged = (entry: [string, string[]] | undefined) => (entry ? { id: entry[0], event: JSON.parse(entry[1][1]!) as TurnEvent } : undefined);
        const start = logged(first[0]);
        const end = logged(last[0]);
        return start ? [{ start, ...(end?.event.type === 'done' ? { done: end } : {}) }] : [];
      }),
    );
    return ends.flat();
  }

  async exists(turnId: string): Promise<boolean> {
    return (await this.writer.exists(this.key(turnId))) === 1;
  }

  async snapshot(turnId: string): Promise<LoggedTurnEvent[]> {
    const entries = (await this.writer.xrange(this.key(turnId), '-', '+')) as [string, string[]][];
    return entries.map(([id, fields]) => ({ id, event: JSON.parse(fields[1]!) as TurnEvent }));
  }

  private get controlChannel(): string {
    return `${this.keyPrefix}:turn-control`;
  }

  async control(message: TurnControl): Promise<void> {
    await this.writer.publish(this.controlChannel, JSON.stringify(message));
  }

  onControl(listener: (message: TurnControl) => void): void {
    // A subscribed connection can do nothing else, so it is one of its own, made on first use.
    if (!this.subscriber) {
      this.subscriber = new Redis(this.url, { connectionName: 'turn-control' });
      this.subscriber.on('error', () => undefined);
      void this.subscriber.subscribe(this.controlChannel).catch(() => undefined);
    }
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.controlChannel) listener(JSON.parse(text) as TurnControl);
    });
  }

  async *read(turnId: string, signal: AbortSignal): AsyncIterable<LoggedTurnEvent> {
    // A blocking read holds its connection, so each reader has its own: an idle one when there is
    // one (a new connection costs milliseconds before the first event), else a new one.
    const reader = this.idleReaders.pop() ?? new Redis(this.url, { connectionName: 'turn-events-reader', maxRetriesPerRequest: 1 });
    reader.on('error', () => undefined);
    let reusable = true;
    const stop = () => {
      reusable = false;
      reader.disconnect();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      let last = '0-0';
      while (!signal.aborted) {
        const answer = (await reader.xread('COUNT', 200, 'BLOCK', 5_000, 'STREAMS', this.key(turnId), last).catch((error: unknown) => {
          if (signal.aborted) return null;
          throw error;
        })) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of answer?.[0]?.[1] ?? []) {
          last = id;
          const event = JSON.parse(fields[1]!) as TurnEvent;
          yield { id, event };
          if (event.type === 'done') return;
        }
        if (!answer && !(await this.exists(turnId))) return;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      reader.removeAllListeners('error');
      // A reader that ended at `done` goes back to the pool; one interrupted mid-read does not.
      if (reusable && reader.status === 'ready' && this.idleReaders.length < maxIdleReaders) this.idleReaders.push(reader);
      else reader.disconnect();
    }
  }

  async close(): Promise<void> {
    this.writer.disconnect();
    this.subscriber?.disconnect();
    for (const reader of this.idleReaders.splice(0)) reader.disconnect();
  }
}

interface MemoryTurn {
  events: LoggedTurnEvent[];
  wake: Set<() => void>;
}

export class InProcessTurnEventLog implements TurnEventLog {
  private readonly turns = new Map<string, MemoryTurn>();
  private readonly listeners = new Set<(message: TurnControl) => void>();
  /** Each conversation's latest turns. */
  private readonly conversations = new Map<string, string[]>();
  private sequence = 0;

  async append(turnId: string, event: TurnEvent): Promise<string> {
    let turn = this.turns.get(turnId);
    if (!turn) {
      turn = { events: [], wake: new Set() };
      this.turns.set(turnId, turn);
      setTimeout(() => this.turns.delete(turnId), keepUnfinishedMs).unref();
    }
    const id = `${Date.now()}-${++this.sequence}`;
    turn.events.push({ id, event });
    if (event.type === 'start') this.conversations.set(event.conversationId, [...(this.conversations.get(event.conversationId) ?? []), turnId].slice(-20));
    for (const wake of turn.wake) wake();
    if (event.type === 'done') setTimeout(() => this.turns.delete(turnId), keepFinishedMs).unref();
    return id;
  }

  async exists(turnId: string): Promise<boolean> {
    return this.turns.has(turnId);
  }

  async snapshot(turnId: string): Promise<LoggedTurnEvent[]> {
    return [...(this.turns.get(turnId)?.events ?? [])];
  }

  async turnsOf(conversationId: string): Promise<{ start: LoggedTurnEvent; done?: LoggedTurnEvent }[]> {
    return (this.conversations.get(conversationId) ?? []).flatMap((turnId) => {
      const events = this.turns.get(turnId)?.events;
      if (!events?.length) return [];
      const end = events.at(-1)!;
      return [{ start: events[0]!, ...(end.event.type === 'done' ? { done: end } : {}) }];
    });
  }

  async control(message: TurnControl): Promise<void> {
    for (const listener of this.listeners) listener(message);
  }

  onControl(listener: (message: TurnControl) => void): void {
    this.listeners.add(listener);
  }

  async *read(turnId: string, signal: AbortSignal): AsyncIterable<LoggedTurnEvent> {
    const turn = this.turns.get(turnId);
    if (!turn) return;
    let next = 0;
    while (!signal.aborted) {
      while (next < turn.events.length) {
        const logged = turn.events[next++]!;
        yield logged;
        if (logged.event.type === 'done') return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          turn.wake.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        turn.wake.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    this.turns.clear();
    this.listeners.clear();
    this.conversations.clear();
  }
}

/** Orders two turn event ids (`<ms>-<seq>`). */
export function compareTurnEventIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
