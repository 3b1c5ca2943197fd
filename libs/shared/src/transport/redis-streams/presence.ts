import type { Redis } from 'ioredis';

/** How often a consumer says it is alive, and how long its word holds. */
export const heartbeatMs = 1_000;
export const presenceTtlMs = 3 * heartbeatMs;

// Both scripts read Redis' own clock, so that hosts with skewed clocks agree on who is alive.
const beatScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
return now`;

const countScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

export async function announcePresence(redis: Redis, key: string, consumer: string): Promise<void> {
  await redis.eval(beatScript, 1, key, consumer);
}

export async function withdrawPresence(redis: Redis, key: string, consumer: string): Promise<void> {
  await redis.zrem(key, consumer);
}

export async function countLiveConsumers(redis: Redis, key: string): Promise<number> {
  return Number(await redis.eval(countScript, 1, key, String(presenceTtlMs)));
}
