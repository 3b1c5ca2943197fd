import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, ErrorCode, ListUploadsQuery, type Page, type UploadDetailDto, type UploadDto } from '@dataflow/shared';
import { CurrentCaller, RequiresScope } from '../auth/access.guard.js';
import type { Caller } from '../auth/jwt.strategy.js';
import { abortedOnDisconnect } from '../http/client-disconnect.js';
import { fileField } from './file-receiver.js';
import { UploadPreviewer } from './upload-preview.js';
import { UploadsClient } from './uploads.client.js';
import { UploadsService } from './uploads.service.js';

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

  /** One upload, with its first 20 rows as the data server reads them (or why there are none). */
  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string, @Res({ passthrough: true }) response: Response): Promise<UploadDetailDto> {
    const upload = await this.uploads.get({ ownerId: caller.userId, id });
    return { ...upload, ...(await this.previewer.preview(caller.userId, upload, abortedOnDisconnect(response).signal)) };
  }

  /** Removes the upload and its file. */
  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @Param('id', uploadId) id: string): Promise<void> {
    await this.service.delete(caller.userId, id);
  }
}
