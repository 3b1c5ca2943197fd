import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ProbesController } from '@dataflow/shared';
import { HealthHandler } from './health.handler.js';

/** The broker is ready once its config is loaded (it would not have started otherwise) and Redis answers. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ProbesController, HealthHandler],
})
export class HealthModule {}
