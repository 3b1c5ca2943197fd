import { Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, ErrorCode, ListUploadsQuery, type Page, type UploadDetailDto, type UploadDto, type UploadIngestionDto, type UploadsUsageDto } from '@dataflow/shared';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { fileField } from './file-receiver.js';
import { UploadIngestion } from './upload-ingestion.js';
import { UploadPreviewer } from './upload-preview.js';
import { UploadsClient } from './uploads.client.js';
import { UPLOAD_LIMITS, type UploadLimits, UploadsService } from './uploads.service.js';

/** A malformed id names no upload: 404, as for another user's. */
const uploadId = new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such upload') });

/** The caller's uploads, in their own data folder. Another user's is a 404, never a 403. */
@Controller('api/v1/files')
@RequiresScope('files')
export class UploadsController {
  constructor(
    private readonly service: UploadsService,
    private readonly uploads: UploadsClient,
    private readonly previewer: UploadPreviewer,
    private readonly ingestion: UploadIngestion,
    @Inject(UPLOAD_LIMITS) private readonly limits: UploadLimits,
  ) {}

  /**
   * Uploads one file (CSV, TSV, Excel .xlsx, Parquet, JSON, NDJSON, SQLite, text or Markdown) into
   * the caller's data folder, where their MCP servers can read it. Its type is checked from its
   * content, and must agree with its name.
   */
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [fileField],
      properties: { [fileField]: { type: 'string', format: 'binary', description: 'the file; its name (cleaned) is kept' } },
    },
  })
  upload(@CurrentCaller() caller: Caller, @Req() request: Request): Promise<UploadDto> {
    return this.service.upload(caller.userId, request);
  }

  /** The caller's uploads, newest first. */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query() query: ListUploadsQuery): Promise<Page<UploadDto>> {
    return this.uploads.list({ ...query, ownerId: caller.userId });
  }

  /** What the caller's uploads take up, against their quota, and the space their columnar cache takes beside them. */
  @Get('usage')
  async usage(@CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: Response): Promise<UploadsUsageDto> {
    const [{ usedBytes }, cache] = await Promise.all([this.uploads.usage({ ownerId: caller.userId }), this.ingestion.space(caller.userId, abortedOnDisconnect(response).signal)]);
    return { usedBytes, quotaBytes: this.limits.quotaBytes, cache };
  }

  /** One upload, with its first 20 rows as the data server reads them (or why there are none). */
  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string, @Res({ passthrough: true }) response: Response): Promise<UploadDetailDto> {
    const upload = await this.uploads.get({ ownerId: caller.userId, id });
    return { ...upload, ...(await this.previewer.preview(caller.userId, upload, abortedOnDisconnect(response).signal)) };
  }

  /**
   * Where the upload stands with the columnar cache (a CSV, TSV, JSON or NDJSON file): its state,
   * and its progress while it is ingested. 409 for other kinds, or when the cache is off.
   */
  @Get(':id/ingestion')
  async ingestionStatus(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string): Promise<UploadIngestionDto> {
    const upload = await this.uploads.get({ ownerId: caller.userId, id });
    const status = await this.ingestion.status(caller.userId, upload);
    if (!status) throw new AppError(ErrorCode.Conflict, 'This file is not ingested into a columnar cache: its kind is not one the cache takes, or the cache is off');
    return status;
  }

  /** Starts the upload's ingestion into the columnar cache, again if it was cancelled or failed; answers at once (202). */
  @Post(':id/ingestion')
  @HttpCode(202)
  async startIngestion(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string): Promise<UploadIngestionDto> {
    return this.ingestion.start(caller.userId, await this.uploads.get({ ownerId: caller.userId, id }));
  }

  /** Cancels the upload's ingestion, running or queued: questions read the file where it lies until it is started again. */
  @Delete(':id/ingestion')
  async cancelIngestion(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string): Promise<UploadIngestionDto> {
    return this.ingestion.cancel(caller.userId, await this.uploads.get({ ownerId: caller.userId, id }));
  }

  /** Removes the upload and its file. */
  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string): Promise<void> {
    await this.service.delete(caller.userId, id);
  }
}
