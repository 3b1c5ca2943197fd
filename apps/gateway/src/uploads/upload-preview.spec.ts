import { AppError, type CallToolRequest, ErrorCode, type McpToolResult, type UploadDto } from '@dataflow/shared';
import type { McpBrokerClient } from '../mcp/mcp-broker.client.js';
import { cacheStatusTool, UploadIngestion } from './upload-ingestion.js';
import { previewTool, UploadPreviewer } from './upload-preview.js';

const upload: UploadDto = {
  id: '7b3f0c1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'sales.csv',
  size: 42,
  sha256: 'a'.repeat(64),
  mimeType: 'text/csv',
  kind: 'csv',
  storagePath: 'uploads/7b3f0c1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b/sales.csv',
  uploadedAt: '2026-01-01T00:00:00.000Z',
};

/** A broker that answers every call with `answer`, and remembers what it was asked. */
function brokerAnswering(answer: (request: CallToolRequest) => Promise<McpToolResult>) {
  const calls: CallToolRequest[] = [];
  const broker = { callTool: (request: CallToolRequest) => (calls.push(request), answer(request)) } as unknown as McpBrokerClient;
  return { previewer: new UploadPreviewer(broker, new UploadIngestion(broker)), calls };
}

describe('UploadPreviewer', () => {
  const described: McpToolResult = {
    content: [{ type: 'text', text: '…' }],
    structuredContent: { path: upload.storagePath, view: 'sales', format: 'csv', rowCount: 2, columns: [{ name: 'id', type: 'BIGINT' }], firstRows: [{ id: 1 }, { id: 2 }] },
  };
  const preview = { columns: [{ name: 'id', type: 'BIGINT' }], rows: [{ id: 1 }, { id: 2 }], rowCount: 2 };

  it("asks the caller's data server for the first 20 rows of the file by its path, then where its columnar cache stands with the file", async () => {
    const { previewer, calls } = brokerAnswering(async (request) =>
      request.qualifiedName === previewTool
        ? described
        : { content: [], structuredContent: { enabled: true, files: [{ path: upload.storagePath, cached: false, state: 'hashing', progress: 0.1 }], bytes: 0, limitBytes: 1e9 } },
    );
    expect(await previewer.preview('user-1', upload)).toEqual({ preview, ingestion: { state: 'hashing', progress: 0.1 } });
    expect(calls).toEqual([
      { qualifiedName: previewTool, arguments: { path: upload.storagePath, rows: 20 }, timeoutMs: 30_000, userId: 'user-1' },
      { qualifiedName: cacheStatusTool, arguments: {}, timeoutMs: 30_000, userId: 'user-1' },
    ]);
    expect([previewTool, cacheStatusTool]).toEqual(['data__describe_dataset', 'data__cache_status']);
  });

  it('says null for the ingestion when the cache is off, does not take the file, or cannot be asked', async () => {
    const answers: (() => Promise<McpToolResult>)[] = [
      async () => ({ content: [], structuredContent: { enabled: false, files: [] } }),
      async () => ({ content: [], structuredContent: { enabled: true, files: [{ path: 'other.csv', cached: true, state: 'ingested', progress: 1 }] } }),
      () => Promise.reject(new AppError(ErrorCode.NotFound, 'The MCP server "data" has no tool "cache_status"')),
    ];
    for (const answer of answers) {
      const { previewer } = brokerAnswering((request) => (request.qualifiedName === previewTool ? Promise.resolve(described) : answer()));
      expect(await previewer.preview('user-1', upload)).toEqual({ preview, ingestion: null });
    }
  });

  it('says why, instead of failing, when the data server cannot read the file', async () => {
    const { previewer } = brokerAnswering(async () => ({ content: [{ type: 'text', text: 'DuckDB error: could not sniff' }], isError: true }));
    expect(await previewer.preview('user-1', upload)).toEqual({ preview: null, previewError: 'The data server cannot read this file: DuckDB error: could not sniff', ingestion: null });
  });

  it('says why when there is no data server, or it is down', async () => {
    for (const error of [
      new AppError(ErrorCode.NotFound, 'There is no MCP server named "data"'),
      new AppError(ErrorCode.ServerUnavailable, 'The MCP server "data" is disabled'),
      AppError.timeout('mcp-broker', 10_000),
    ]) {
      const { previewer } = brokerAnswering(() => Promise.reject(error));
      expect(await previewer.preview('user-1', upload)).toEqual({ preview: null, previewError: `No preview: ${error.message}`, ingestion: null });
    }
    const { previewer } = brokerAnswering(() => Promise.reject(new Error('socket hang up at 10.0.0.7')));
    expect(await previewer.preview('user-1', upload)).toEqual({ preview: null, previewError: 'No preview: the data server could not be asked', ingestion: null });
  });

  it('does not ask for a preview of text or Markdown', async () => {
    const { previewer, calls } = brokerAnswering(() => Promise.reject(new Error('not asked')));
    expect(await previewer.preview('user-1', { ...upload, kind: 'md', name: 'notes.md' })).toEqual({ preview: null, previewError: expect.stringMatching(/no preview/), ingestion: null });
    expect(calls).toEqual([]);
  });
});
