import { Injectable, Logger } from '@nestjs/common';
import { AppError, qualifiedName, type UploadDetailDto, type UploadDto, type UploadPreview } from '@dataflow/shared';
import { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { textOf, UploadIngestion } from './upload-ingestion.js';

/** The data server's tool that reads a dataset by its path: its columns, row count and first rows. */
export const previewTool = qualifiedName('data', 'describe_dataset');
export const previewRows = 20;
const previewTimeoutMs = 30_000;

type Previewed = Pick<UploadDetailDto, 'preview' | 'previewError' | 'ingestion'>;

const unpreviewable = (previewError: string): Previewed => ({ preview: null, previewError, ingestion: null });

function previewOf(content: Record<string, unknown> | undefined): UploadPreview | undefined {
  const { columns, firstRows, rowCount } = content ?? {};
  if (!Array.isArray(columns) || !Array.isArray(firstRows) || typeof rowCount !== 'number') return undefined;
  return { columns: columns as UploadPreview['columns'], rows: firstRows as UploadPreview['rows'], rowCount };
}

/**
 * The first rows of an upload, read by the user's own instance of the data server (as the agent
 * would read it). A preview that cannot be had is not an error of the request: the answer says why.
 */
@Injectable()
export class UploadPreviewer {
  private readonly logger = new Logger(UploadPreviewer.name);

  constructor(
    private readonly broker: McpBrokerClient,
    private readonly ingestion: UploadIngestion,
  ) {}

  async preview(ownerId: string, upload: UploadDto, signal?: AbortSignal): Promise<Previewed> {
    if (upload.kind === 'txt' || upload.kind === 'md') return unpreviewable('Text and Markdown files are not tables: they have no preview');
    const deadline = AbortSignal.timeout(previewTimeoutMs + 5_000);
    try {
      const result = await this.broker.callTool(
        { qualifiedName: previewTool, arguments: { path: upload.storagePath, rows: previewRows }, timeoutMs: previewTimeoutMs, userId: ownerId },
        { signal: signal ? AbortSignal.any([signal, deadline]) : deadline },
      );
      if (result.isError) return unpreviewable(`The data server cannot read this file: ${textOf(result) || 'it gave no reason'}`);
      const preview = previewOf(result.structuredContent);
      // The preview starts the file's ingestion into the columnar cache; say where it stands.
      return preview ? { preview, ingestion: await this.ingestion.status(ownerId, upload, deadline) } : unpreviewable('The data server answered without rows');
    } catch (error) {
      if (error instanceof AppError) return unpreviewable(`No preview: ${error.message}`);
      if (deadline.aborted) return unpreviewable(`No preview: the data server did not answer within ${previewTimeoutMs / 1000} s`);
      this.logger.warn({ err: error, uploadId: upload.id }, 'upload preview failed');
      return unpreviewable('No preview: the data server could not be asked');
    }
  }
}
