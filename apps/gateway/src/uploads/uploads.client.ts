import { Injectable } from '@nestjs/common';
import {
  type CreateUploadRequest,
  InjectServiceClient,
  type ListUploadsRequest,
  type Page,
  ServiceClient,
  ServiceName,
  type UploadDto,
  type UploadRef,
  UploadsContract,
  type UploadUsage,
  type UploadUsageRequest,
} from '@dataflow/shared';

/** The gateway's typed access to the upload records, which the conversations service keeps. */
@Injectable()
export class UploadsClient {
  constructor(@InjectServiceClient(ServiceName.Conversations) private readonly client: ServiceClient) {}

  create(request: CreateUploadRequest): Promise<UploadDto> {
    return this.client.send(UploadsContract.create, request);
  }

  list(request: ListUploadsRequest): Promise<Page<UploadDto>> {
    return this.client.send(UploadsContract.list, request);
  }

  get(request: UploadRef): Promise<UploadDto> {
    return this.client.send(UploadsContract.get, request);
  }

  delete(request: UploadRef): Promise<UploadDto> {
    return this.client.send(UploadsContract.delete, request);
  }

  usage(request: UploadUsageRequest): Promise<UploadUsage> {
    return this.client.send(UploadsContract.usage, request);
  }
}
