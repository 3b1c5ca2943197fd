import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateUploadRequest, ListUploadsRequest, type Page, type UploadDto, UploadRef, UploadsContract, type UploadUsage, UploadUsageRequest } from '@dataflow/shared';
import { UploadsRepository } from './uploads.repository.js';

const defaultPageSize = 50;

@Controller()
export class UploadsHandler {
  private readonly logger = new Logger(UploadsHandler.name);

  constructor(private readonly uploads: UploadsRepository) {}

  @MessagePattern(UploadsContract.create.pattern)
  async create(@Payload() request: CreateUploadRequest): Promise<UploadDto> {
    const upload = await this.uploads.create(request);
    this.logger.log({ uploadId: upload.id, ownerId: request.ownerId, size: upload.size, kind: upload.kind }, 'upload recorded');
    return upload;
  }

  @MessagePattern(UploadsContract.list.pattern)
  list(@Payload() request: ListUploadsRequest): Promise<Page<UploadDto>> {
    return this.uploads.list(request.ownerId, request.limit ?? defaultPageSize, request.cursor);
  }

  @MessagePattern(UploadsContract.get.pattern)
  get(@Payload() request: UploadRef): Promise<UploadDto> {
    return this.uploads.get(request.ownerId, request.id);
  }

  @MessagePattern(UploadsContract.delete.pattern)
  delete(@Payload() request: UploadRef): Promise<UploadDto> {
    return this.uploads.delete(request.ownerId, request.id);
  }

  @MessagePattern(UploadsContract.usage.pattern)
  async usage(@Payload() request: UploadUsageRequest): Promise<UploadUsage> {
    return { usedBytes: await this.uploads.usedBytes(request.ownerId) };
  }
}
