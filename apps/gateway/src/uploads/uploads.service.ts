import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode, formatBytes, type UploadDto, uploadQuotaExceeded } from '@dataflow/shared';
import { claimedKind, detectUploadType, zipLimitsFor } from './content-sniffing.js';
import { assertMultipart, receiveFile } from './file-receiver.js';
import { sanitizeFileName } from './file-names.js';
import { withFileAccess } from './random-access.js';
import { UploadsClient } from './uploads.client.js';
import { UserFiles } from './user-files.js';

export const UPLOAD_LIMITS = Symbol('UploadLimits');

export interface UploadLimits {
  /** The largest file one upload may be. */
  maxBytes: number;
  /** What one user's uploads may take up in all. */
  quotaBytes: number;
}

/**
 * Takes an upload from the request into the user's data folder: streamed to a waiting place,
 * checked (size, quota, content), recorded, then moved where the user's MCP servers see it.
 * Nothing of a refused upload stays behind, on disk or in the database.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    private readonly uploads: UploadsClient,
    private readonly files: UserFiles,
    @Inject(UPLOAD_LIMITS) private readonly limits: UploadLimits,
  ) {}

  async upload(ownerId: string, request: Readable & { headers: IncomingHttpHeaders }): Promise<UploadDto> {
    assertMultipart(request.headers);
    const { maxBytes, quotaBytes } = this.limits;
    const { usedBytes } = await this.uploads.usage({ ownerId });
    if (usedBytes >= quotaBytes) throw uploadQuotaExceeded(quotaBytes, usedBytes);
    // Streaming stops at the size limit, or sooner where the quota leaves less room; the quota is checked again, atomically, when the upload is recorded.
    const limitBytes = Math.min(maxBytes, quotaBytes - usedBytes);
    const tooLarge = () =>
      limitBytes < maxBytes
        ? uploadQuotaExceeded(quotaBytes, usedBytes)
        : new AppError(ErrorCode.PayloadTooLarge, `The file is larger than the upload limit of ${formatBytes(maxBytes)}`, { limitBytes: maxBytes });
    const id = randomUUID();
    const incoming = await this.files.incomingPath(ownerId, id);
    try {
      const received = await receiveFile(request, { destination: incoming, limitBytes, tooLarge, checkName: (clientName) => claimedKind(sanitizeFileName(clientName)) });
      const name = sanitizeFileName(received.clientName);
      if (received.size === 0) throw new AppError(ErrorCode.BadRequest, `"${name}" is empty: there is nothing to upload`);
      const { kind, mimeType } = await withFileAccess(incoming, (file) => detectUploadType(name, file, received, zipLimitsFor(maxBytes)));
      const storagePath = UserFiles.storagePath(id, name);
      const upload = await this.uploads.create({ id, ownerId, name, size: received.size, sha256: received.sha256, mimeType, kind, storagePath, quotaBytes });
      try {
        await this.files.place(ownerId, incoming, storagePath);
      } catch (error) {
        await this.uploads.delete({ ownerId, id }).catch((undo: unknown) => this.logger.error({ err: undo, uploadId: id }, 'an upload that could not be put in place is still recorded'));
        throw error;
      }
      this.logger.log({ uploadId: id, ownerId, size: upload.size, kind }, 'file uploaded');
      return upload;
    } finally {
      // Gone already when the file was put in place.
      await rm(incoming, { force: true });
    }
  }

  /** The record goes last: should removing the file fail, the upload is still listed and can be deleted again. */
  async delete(ownerId: string, id: string): Promise<void> {
    await this.uploads.get({ ownerId, id });
    await this.files.remove(ownerId, id);
    await this.uploads.delete({ ownerId, id });
  }
}
