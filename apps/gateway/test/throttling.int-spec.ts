import { Redis } from 'ioredis';
import { deleteKeys, testRedisUrl, uniqueKeyPrefix } from '@dataflow/shared/testing';
import { RedisThrottlerStorage } from '../src/auth/redis-throttler-storage.js';

describe('the rate limit counters in Redis', () => {
  const prefix = `${uniqueKeyPrefix()}:throttle:`;
  // Two storages on their own connections, as two gateway replicas would have.
  const replicas = [new RedisThrottlerStorage(new Redis(testRedisUrl()), prefix), new RedisThrottlerStorage(new Redis(testRedisUrl()), prefix)];

  afterAll(async () => {
    await deleteKeys(prefix);
    await Promise.all(replicas.map((replica) => replica.onModuleDestroy()));
  });

  it('count one limit across replicas, block past it, and say for how long', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await replicas[i % 2].increment('ip:10.0.0.1', 60_000, 3, 30_000, 'ip'));
    expect(results.map((result) => [result.totalHits, result.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(results[3].timeToBlockExpire).toBeGreaterThan(25);
    expect(results[3].timeToBlockExpire).toBeLessThanOrEqual(30);
    expect(results[0].timeToExpire).toBeGreaterThan(55);
    // Another tracker has its own count.
    expect((await replicas[1].increment('ip:10.0.0.2', 60_000, 3, 30_000, 'ip')).totalHits).toBe(1);
  });

  it('start a new window when the old one ends', async () => {
    const first = await replicas[0].increment('ip:10.0.0.3', 200, 1, 0, 'ip');
    const second = await replicas[1].increment('ip:10.0.0.3', 200, 1, 0, 'ip');
    expect([first.isBlocked, second.isBlocked]).toEqual([false, true]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await replicas[0].increment('ip:10.0.0.3', 200, 1, 0, 'ip')).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
