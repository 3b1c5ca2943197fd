import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { compareTurnEventIds, InProcessTurnEventLog, RedisTurnEventLog, type TurnEvent, type TurnEventLog } from '@dataflow/shared';
import { deleteKeys, testRedisUrl, uniqueKeyPrefix } from '@dataflow/shared/testing';

/** A turn's events as the runner appends them: `start` first, the rest without waiting for each other. */
function turnOf(turnId: string, conversationId: string): TurnEvent[] {
  return [
    { type: 'start', turnId, conversationId, messageId: randomUUID(), model: null, ownerId: randomUUID() },
    { type: 'tool-call', toolCallId: 'call_1', server: 'data', tool: 'query', arguments: { sql: 'SELECT 1' } },
    { type: 'tool-result', toolCallId: 'call_1', result: { content: [] }, isError: false, durationMs: 3, cached: false },
    ...['The answer', ' comes', ' in parts.'].map((text): TurnEvent => ({ type: 'text-delta', text })),
    { type: 'usage', inputTokens: 12, outputTokens: 7 },
    { type: 'done', status: 'complete', messageId: randomUUID() },
  ];
}

async function readAll(log: TurnEventLog, turnId: string): Promise<TurnEvent[]> {
  const events: TurnEvent[] = [];
  for await (const { event } of log.read(turnId, new AbortController().signal)) events.push(event);
  return events;
}

describe.each([
  ['in memory (standalone)', () => ({ log: new InProcessTurnEventLog() as TurnEventLog, cleanup: async () => undefined })],
  [
    'on Redis (distributed)',
    () => {
      const prefix = uniqueKeyPrefix();
      return { log: new RedisTurnEventLog(testRedisUrl(), prefix) as TurnEventLog, cleanup: () => deleteKeys(prefix), prefix };
    },
  ],
])('the turn event log %s', (_name, make) => {
  let made: ReturnType<typeof make>;

  beforeEach(() => {
    made = make();
  });

  afterEach(async () => {
    await made.log.close();
    await made.cleanup();
  });

  it('keeps appends that nobody awaited in the order they were made, so `done` in means every event before it is in', async () => {
    const [turnId, conversationId] = [randomUUID(), randomUUID()];
    const events = turnOf(turnId, conversationId);
    const ids = events.map((event) => made.log.append(turnId, event));
    // Resolved `done` alone: everything before it must already be readable, in order, each once.
    await ids.at(-1);
    const snapshot = await made.log.snapshot(turnId);
    expect(snapshot.map(({ event }) => event)).toEqual(events);
    const resolved = await Promise.all(ids);
    expect(snapshot.map(({ id }) => id)).toEqual(resolved);
    expect([...resolved].sort(compareTurnEventIds)).toEqual(resolved);
    expect(await readAll(made.log, turnId)).toEqual(events);
    expect((await made.log.turnsOf(conversationId)).map(({ start, done }) => [start.event.type, done?.event.type])).toEqual([['start', 'done']]);
  });

  it('gives a running turn a day to finish and a finished one an hour for late readers', async () => {
    if (!('prefix' in made)) return; // memory is dropped with its process
    const redis = new Redis(testRedisUrl());
    try {
      const [turnId, conversationId] = [randomUUID(), randomUUID()];
      const [start, ...rest] = turnOf(turnId, conversationId);
      await made.log.append(turnId, start!);
      const key = `${made.prefix}:turn:${turnId}`;
      const hour = 60 * 60_000;
      expect(await redis.pttl(key)).toBeGreaterThan(23 * hour);
      expect(await redis.pttl(`${made.prefix}:conversation-turns:${conversationId}`)).toBeGreaterThan(23 * hour);
      await Promise.all(rest.map((event) => made.log.append(turnId, event)));
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(hour - 60_000);
      expect(ttl).toBeLessThanOrEqual(hour);
    } finally {
      redis.disconnect();
    }
  });
});
