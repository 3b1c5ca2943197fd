import type { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';

/**
 * Rate limit counters in Redis, so that every gateway replica counts against the same limit (the
 * gateway keeps no state of its own). One fixed window per key; once over the limit, the key is
 * blocked for `blockDuration`.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private static readonly script = `
    local hits = redis.call('INCR', KEYS[1])
    if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
    local ttl = redis.call('PTTL', KEYS[1])
    local blocked = redis.call('PTTL', KEYS[2])
    if blocked <= 0 and hits > tonumber(ARGV[2]) then
      blocked = tonumber(ARGV[3])
      if blocked > 0 then redis.call('SET', KEYS[2], '1', 'PX', blocked) end
    end
    return {hits, ttl, blocked}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static connect(url: string, prefix: string): RedisThrottlerStorage {
    return new RedisThrottlerStorage(new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true }), prefix);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const counter = `${this.prefix}${throttlerName}:${key}`;
    const [hits, ttlMs, blockedMs] = (await this.redis.eval(RedisThrottlerStorage.script, 2, counter, `${counter}:blocked`, ttl, limit, blockDuration)) as [number, number, number];
    const isBlocked = blockedMs > 0 || hits > limit;
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil((blockedMs > 0 ? blockedMs : ttlMs) / 1000)) : 0,
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
