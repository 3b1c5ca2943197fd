import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, ingestedKinds, type McpToolResult, qualifiedName, type UploadDto, type UploadIngestionDto, type UploadsUsageDto } from '@dataflow/shared';
import { McpBrokerClient } from '../mcp/mcp-broker.client.js';

/** The data server's columnar cache tools (see its `ingestion` tools). */
export const cacheStatusTool = qualifiedName('data', 'cache_status');
export const ingestTool = qualifiedName('data', 'ingest_dataset');
export const cancelIngestionTool = qualifiedName('data', 'cancel_ingestion');
const timeoutMs = 30_000;

interface CacheStatus {
  enabled: boolean;
  files: (UploadIngestionDto & { path: string })[];
  bytes: number;
  limitBytes: number;
}

const ingestionOf = ({ state, progress, error }: UploadIngestionDto): UploadIngestionDto => ({ state, progress, ...(error ? { error } : {}) });

/**
 * An upload's ingestion into the caller's columnar cache, through their own data server: where
 * it stands, started again, cancelled; and the space the cache takes.
 */
@Injectable()
export class UploadIngestion {
  constructor(private readonly broker: McpBrokerClient) {}

  /** Where the upload stands; null when the cache does not take it, is off, or cannot be asked. */
  async status(ownerId: string, upload: UploadDto, signal?: AbortSignal): Promise<UploadIngestionDto | null> {
    if (!ingestedKinds.includes(upload.kind)) return null;
    const file = (await this.cacheStatus(ownerId, signal))?.files.find(({ path }) => path === upload.storagePath);
    return file ? ingestionOf(file) : null;
  }

  /** The space the cache takes, and its bound; null when it is off or cannot be asked. */
  async space(ownerId: string, signal?: AbortSignal): Promise<UploadsUsageDto['cache']> {
    const status = await this.cacheStatus(ownerId, signal);
    return status?.enabled ? { bytes: status.bytes, limitBytes: status.limitBytes } : null;
  }

  /** Starts the upload's ingestion, again if it was cancelled or failed; answers at once. */
  start(ownerId: string, upload: UploadDto): Promise<UploadIngestionDto> {
    return this.change(ownerId, upload, ingestTool, { path: upload.storagePath, wait: false });
  }

  /** Cancels the upload's ingestion, running or queued: questions read the file where it lies. */
  cancel(ownerId: string, upload: UploadDto): Promise<UploadIngestionDto> {
    return this.change(ownerId, upload, cancelIngestionTool, { path: upload.storagePath });
  }

  private async change(ownerId: string, upload: UploadDto, tool: string, args: Record<string, unknown>): Promise<UploadIngestionDto> {
    if (!ingestedKinds.includes(upload.kind)) {
      throw new AppError(ErrorCode.Conflict, `${upload.kind.toUpperCase()} files are not ingested into the columnar cache: only CSV, TSV, JSON and NDJSON files are`);
    }
    const result = await this.broker.callTool({ qualifiedName: tool, arguments: args, timeoutMs, userId: ownerId }).catch((error: unknown) => {
      // No data server, or one without the cache's tools: nothing to ingest into (a 404 would read as "no such upload").
      throw error instanceof AppError && error.code === ErrorCode.NotFound ? new AppError(ErrorCode.Conflict, `There is no columnar cache to ask: ${error.message}`) : error;
    });
    if (result.isError) throw new AppError(ErrorCode.Conflict, textOf(result) || 'The data server refused without a reason');
    return ingestionOf(result.structuredContent as unknown as UploadIngestionDto);
  }

  private async cacheStatus(ownerId: string, signal?: AbortSignal): Promise<CacheStatus | undefined> {
    try {
      const result = await this.broker.callTool({ qualifiedName: cacheStatusTool, arguments: {}, timeoutMs, userId: ownerId }, { signal });
      return result.isError ? undefined : (result.structuredContent as unknown as CacheStatus);
    } catch {
      return undefined;
    }
  }
}

export function textOf(result: McpToolResult): string {
  return result.content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join(' ')
    .trim();
}
