import type { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import type { Transport } from '../transport/transport.js';

/** A readiness check of Redis, when the apps talk over it; nothing when they share a process. */
export function transportChecks(health: HealthIndicatorService, transport: Transport, timeoutMs: number): HealthIndicatorFunction[] {
  if (transport.kind !== 'redis-streams') return [];
  return [() => health.check('redis').attempt(() => transport.check()).withTimeout(timeoutMs)];
}
