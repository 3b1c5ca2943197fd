import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { TRANSPORT } from '../transport/transport.module.js';
import type { Transport } from '../transport/transport.js';
import { transportChecks } from './transport-health.js';

export const probeTimeoutMs = 2_000;

/** A service's own readiness checks, beyond Redis: `{ provide: READINESS_CHECKS, useFactory: … }`. */
export const READINESS_CHECKS = Symbol('ReadinessChecks');

/**
 * A microservice's orchestrator probes on its HEALTH_PORT: live while the process runs, ready
 * when its own checks and (when used) Redis pass.
 */
@Controller('health')
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Optional() @Inject(READINESS_CHECKS) private readonly checks: HealthIndicatorFunction[] = [],
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([...this.checks, ...transportChecks(this.indicators, this.transport, probeTimeoutMs)]);
  }
}
