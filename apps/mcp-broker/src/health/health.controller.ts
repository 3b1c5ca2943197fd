import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { type Transport, TRANSPORT, transportChecks } from '@dataflow/shared';

const checkTimeoutMs = 2_000;

/** Orchestrator probes. The broker is ready once its config is loaded (it is, or it would not have started) and Redis answers. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
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
    return this.health.check(transportChecks(this.indicators, this.transport, checkTimeoutMs));
  }
}
