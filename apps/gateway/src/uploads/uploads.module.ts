import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayEnv } from '@dataflow/shared';
import { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { UploadIngestion } from './upload-ingestion.js';
import { UploadPreviewer } from './upload-preview.js';
import { UploadsClient } from './uploads.client.js';
import { UploadsController } from './uploads.controller.js';
import { UPLOAD_LIMITS, type UploadLimits, UploadsService } from './uploads.service.js';
import { UserFiles } from './user-files.js';

/** File uploads into the users' data folders (`/api/v1/files`). */
@Module({})
export class UploadsModule {
  static forRoot(config: Pick<GatewayEnv, 'DATA_DIR' | 'USER_DATA_ROOT' | 'UPLOAD_MAX_BYTES' | 'UPLOAD_QUOTA_BYTES'>): DynamicModule {
    const limits: UploadLimits = { maxBytes: config.UPLOAD_MAX_BYTES, quotaBytes: config.UPLOAD_QUOTA_BYTES };
    return {
      module: UploadsModule,
      controllers: [UploadsController],
      providers: [
        UploadsClient,
        UploadsService,
        UploadPreviewer,
        UploadIngestion,
        McpBrokerClient,
        { provide: UPLOAD_LIMITS, useValue: limits },
        { provide: UserFiles, useValue: new UserFiles(config.USER_DATA_ROOT ?? join(config.DATA_DIR, 'users')) },
      ],
    };
  }
}
