import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { type Transport, TRANSPORT, transportChecks } from '@dataflow/shared';
import { DatabaseHealth } from './database-health.js';

const checkTimeoutMs = 2_000;

/** Orchestrator probes. Readiness needs the database and, when used, Redis. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseHealth,
    @Inject(TRANSPORT) private readonly transport: Transport,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.indicators.check('database').attempt(() => this.database.check()).withTimeout(checkTimeoutMs),
      ...transportChecks(this.indicators, this.transport, checkTimeoutMs),
    ]);
  }
}
