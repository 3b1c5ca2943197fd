import { Module } from '@nestjs/common';
import { UploadsHandler } from './uploads.handler.js';
import { UploadsRepository } from './uploads.repository.js';

@Module({
  controllers: [UploadsHandler],
  providers: [UploadsRepository],
})
export class UploadsModule {}
