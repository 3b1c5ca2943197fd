import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, type CreateUploadRequest, ErrorCode, type Page, seqFromCursor, seqPage, type UploadDto, uploadQuotaExceeded } from '@dataflow/shared';
import { queryPrepared } from '../database/prepared-statement.js';

interface UploadRow {
  id: string;
  seq: string;
  name: string;
  size: string;
  sha256: string;
  mime_type: string;
  kind: UploadDto['kind'];
  storage_path: string;
  uploaded_at: Date;
}

const uploadColumns = 'id, seq, name, size, sha256, mime_type, kind, storage_path, uploaded_at';

function toDto(row: UploadRow): UploadDto {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    sha256: row.sha256,
    mimeType: row.mime_type,
    kind: row.kind,
    storagePath: row.storage_path,
    uploadedAt: row.uploaded_at.toISOString(),
  };
}

/** What the owner's uploads take up, in bytes. */
async function usedBytesOf(database: DataSource | EntityManager, ownerId: string): Promise<number> {
  const [{ used }] = (await database.query(`SELECT coalesce(sum(size), 0)::text AS used FROM uploads WHERE owner_id = $1`, [ownerId])) as { used: string }[];
  return Number(used);
}

const noUpload = () => new AppError(ErrorCode.NotFound, 'There is no such upload');

/** The record of each upload; the files themselves are the gateway's. */
@Injectable()
export class UploadsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records an upload unless it would take its owner past the quota. The owner's uploads are
   * summed and the row added under a lock on that owner (held to the end of the transaction), so
   * that two uploads at once cannot each see room for itself and together exceed the quota.
   */
  create(request: CreateUploadRequest): Promise<UploadDto> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('uploads:' || $1, 0))`, [request.ownerId]);
      const used = await usedBytesOf(manager, request.ownerId);
      if (used + request.size > request.quotaBytes) throw uploadQuotaExceeded(request.quotaBytes, used, request.size);
      const [row] = (await manager.query(
        `INSERT INTO uploads (id, owner_id, name, size, sha256, mime_type, kind, storage_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${uploadColumns}`,
        [request.id, request.ownerId, request.name, request.size, request.sha256, request.mimeType, request.kind, request.storagePath],
      )) as UploadRow[];
      return toDto(row!);
    });
  }

  /** The owner's uploads, newest first. */
  async list(ownerId: string, limit: number, cursor: string | undefined): Promise<Page<UploadDto>> {
    const before = seqFromCursor(cursor);
    // Every chat turn reads the first page: the system prompt names the user's files.
    const rows = await queryPrepared<UploadRow>(
      this.dataSource,
      'uploads.list',
      `SELECT ${uploadColumns} FROM uploads WHERE owner_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint) ORDER BY seq DESC LIMIT $3`,
      [ownerId, before ?? null, limit + 1],
    );
    return seqPage(rows, limit, toDto);
  }

  async get(ownerId: string, id: string): Promise<UploadDto> {
    const [row] = (await this.dataSource.query(`SELECT ${uploadColumns} FROM uploads WHERE id = $1 AND owner_id = $2`, [id, ownerId])) as UploadRow[];
    if (!row) throw noUpload();
    return toDto(row);
  }

  async delete(ownerId: string, id: string): Promise<UploadDto> {
    // TypeORM answers a DELETE … RETURNING with [rows, count].
    const [[row]] = (await this.dataSource.query(`DELETE FROM uploads WHERE id = $1 AND owner_id = $2 RETURNING ${uploadColumns}`, [id, ownerId])) as [UploadRow[], number];
    if (!row) throw noUpload();
    return toDto(row);
  }

  usedBytes(ownerId: string): Promise<number> {
    return usedBytesOf(this.dataSource, ownerId);
  }
}
