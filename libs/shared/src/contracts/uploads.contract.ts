import { IsIn, IsInt, IsString, IsUUID, Length, Matches, MaxLength, Min } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { OptionalCursor, OptionalPageSize, type Page } from './page.js';
import { rpc } from './rpc-contract.js';
import { ServiceName } from './service-name.js';

/**
 * Files a user uploads into their data folder, where their per-user MCP servers read them. The
 * gateway receives, checks and stores the file; the conversations service keeps the record and
 * the per-user quota.
 */

/** What an upload was found to be, from its content (the name's extension must agree). */
export const uploadKinds = ['csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson', 'sqlite', 'txt', 'md'] as const;
export type UploadKind = (typeof uploadKinds)[number];

export interface UploadDto {
  id: string;
  /** The client's file name, cleaned: no path, no control or reserved characters. */
  name: string;
  /** Bytes. */
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  mimeType: string;
  kind: UploadKind;
  /** Where the file is, relative to the user's data folder (`uploads/<id>/<name>`): the path the data tools take. */
  storagePath: string;
  uploadedAt: string;
}

/** The first rows of an upload as the data server reads it. */
export interface UploadPreview {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  /** Every row of the dataset (of its first sheet or table), of which `rows` are the first. */
  rowCount: number;
}

/** The kinds of file the data server's columnar cache ingests (Parquet is columnar already; workbooks and SQLite are loaded into tables). */
export const ingestedKinds: readonly UploadKind[] = ['csv', 'tsv', 'json', 'ndjson'];

/**
 * Where an upload stands with the data server's columnar cache: `pending` until something asks
 * about it (the preview does); `hashing`, `queued` (behind another file) and `ingesting` on the
 * way; `ingested` once questions read the cache; `cancelled` or `failed`, when questions read
 * the file where it lies until it is ingested again (POST …/ingestion).
 */
export const ingestionStates = ['pending', 'hashing', 'queued', 'ingesting', 'ingested', 'cancelled', 'failed'] as const;
export type IngestionState = (typeof ingestionStates)[number];

/** GET, POST and DELETE /api/v1/files/:id/ingestion. */
export interface UploadIngestionDto {
  state: IngestionState;
  /** The share done, from 0 to 1, while it runs; 1 once ingested; null otherwise. */
  progress: number | null;
  /** Why it failed. */
  error?: string;
}

/** GET /api/v1/files/:id: the upload and its first rows; `preview` is null, and `previewError` says why, when they cannot be read. */
export interface UploadDetailDto extends UploadDto {
  preview: UploadPreview | null;
  previewError?: string;
  /** Where the file stands with the columnar cache; null when the cache does not take this kind of file, is off, or cannot be asked. */
  ingestion: UploadIngestionDto | null;
}

/** GET /api/v1/files/usage: the space the caller's files take, against their quota. */
export interface UploadsUsageDto {
  /** The bytes of every upload the caller has. */
  usedBytes: number;
  quotaBytes: number;
  /** The space the caller's columnar cache takes (ingested files, outside the quota), and its bound; null when it is off or cannot be asked. */
  cache: { bytes: number; limitBytes: number } | null;
}

/** The query of GET /api/v1/files: newest first, a page at a time. */
export class ListUploadsQuery {
  @OptionalPageSize(100)
  limit?: number;

  @OptionalCursor()
  cursor?: string;
}

export class ListUploadsRequest extends ListUploadsQuery {
  @IsUUID()
  ownerId!: string;
}

/** One of the owner's uploads; another user's is not found. */
export class UploadRef {
  @IsUUID()
  ownerId!: string;

  @IsUUID()
  id!: string;
}

export class UploadUsageRequest {
  @IsUUID()
  ownerId!: string;
}

export interface UploadUsage {
  /** The bytes of every upload the owner has. */
  usedBytes: number;
}

/** A checked file the gateway has received, to record before it is put in place. */
export class CreateUploadRequest {
  /** Chosen by the gateway: the file's folder is named after it. */
  @IsUUID()
  id!: string;

  @IsUUID()
  ownerId!: string;

  @Length(1, 255)
  @IsString()
  name!: string;

  @Min(1)
  @IsInt()
  size!: number;

  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex digits' })
  sha256!: string;

  @Length(1, 100)
  @IsString()
  mimeType!: string;

  @IsIn(uploadKinds)
  kind!: UploadKind;

  @MaxLength(1024)
  @Matches(/^uploads\/[0-9a-f-]{36}\/[^/\\]+$/, { message: 'storagePath must be uploads/<id>/<name>' })
  storagePath!: string;

  /** The owner's quota: refused (payload_too_large) when their uploads would exceed it. */
  @Min(1)
  @IsInt()
  quotaBytes!: number;
}

/** Bytes for people, in the decimal units the limits are set in: 200 MB, 1.5 GB, 512 KB, 12 bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** An upload that does not fit in the owner's quota; `fileBytes` when its size is known. */
export function uploadQuotaExceeded(quotaBytes: number, usedBytes: number, fileBytes?: number): AppError {
  const file = fileBytes === undefined ? 'This file' : `This file (${formatBytes(fileBytes)})`;
  return new AppError(
    ErrorCode.PayloadTooLarge,
    `${file} does not fit in your upload quota of ${formatBytes(quotaBytes)}: your uploads take up ${formatBytes(usedBytes)} already. Delete some to make room.`,
    { quotaBytes, usedBytes, ...(fileBytes === undefined ? {} : { fileBytes }) },
  );
}

export const UploadsContract = {
  /** PayloadTooLarge when the owner's uploads would exceed `quotaBytes`; checked under a per-owner lock, so concurrent uploads cannot both slip under it. */
  create: rpc<CreateUploadRequest, UploadDto>(ServiceName.Conversations, 'uploads.create'),
  /** Newest first. */
  list: rpc<ListUploadsRequest, Page<UploadDto>>(ServiceName.Conversations, 'uploads.list'),
  /** NotFound unless it is the owner's. */
  get: rpc<UploadRef, UploadDto>(ServiceName.Conversations, 'uploads.get'),
  /** Removes the record and answers what it was; NotFound unless it is the owner's. */
  delete: rpc<UploadRef, UploadDto>(ServiceName.Conversations, 'uploads.delete'),
  /** What the owner's uploads take up, against the quota. */
  usage: rpc<UploadUsageRequest, UploadUsage>(ServiceName.Conversations, 'uploads.usage'),
};
