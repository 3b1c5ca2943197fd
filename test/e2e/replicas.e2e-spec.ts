import { DistributedPlatform } from './distributed-platform.js';

describe('two replicas of the conversations service over Redis Streams', () => {
  const platform = new DistributedPlatform({ conversationsReplicas: 2 });

  beforeAll(() => platform.start());
  afterAll(() => platform.stop());

  it('turns 200 concurrent creates into exactly 200 rows, each handled by one replica', async () => {
    const titles = Array.from({ length: 200 }, (_, i) => `conversation ${i}`);
    const responses = await Promise.all(
      titles.map((title) => platform.api('/api/v1/conversations', { method: 'POST', body: JSON.stringify({ title }) })),
    );
    expect(responses.map((r) => r.status)).toEqual(titles.map(() => 201));

    const rows = await platform.database.query<{ title: string }>('SELECT title FROM conversations');
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.title))).toEqual(new Set(titles));

    const handledBy = platform.conversations.map((replica) => replica.logs({ msg: 'conversation created' }).length);
    expect(handledBy).toHaveLength(2);
    expect(handledBy[0] + handledBy[1]).toBe(200);
    expect(Math.min(...handledBy)).toBeGreaterThan(0);
  });
});
