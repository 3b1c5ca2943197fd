import { Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { probeTimeoutMs, ProbesController, READINESS_CHECKS } from '@dataflow/shared';
import { DatabaseHealth } from './database-health.js';
import { HealthHandler } from './health.handler.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ProbesController, HealthHandler],
  providers: [
    DatabaseHealth,
    {
      provide: READINESS_CHECKS,
      inject: [HealthIndicatorService, DatabaseHealth],
      useFactory: (indicators: HealthIndicatorService, database: DatabaseHealth) => [
        () => indicators.check('database').attempt(() => database.check()).withTimeout(probeTimeoutMs),
      ],
    },
  ],
})
export class HealthModule {}
