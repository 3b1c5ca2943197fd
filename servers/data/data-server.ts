import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { DataContext } from './context.js';
import { registerExplorePrompt } from './explore-prompt.js';
import { registerDatasetResources } from './resources.js';
import { registerChart } from './tools/chart.js';
import { registerDescribeDataset } from './tools/describe-dataset.js';
import { registerExportResult } from './tools/export-result.js';
import { registerIngestionTools } from './tools/ingestion.js';
import { registerListDatasets } from './tools/list-datasets.js';
import { registerProfileDataset } from './tools/profile-dataset.js';
import { registerQuery } from './tools/query.js';

export const serverInfo = { name: 'dataflow-data', title: 'Data (MCP DataFlow Chat)', version: '0.1.0' };

/** The data tools over the files of one folder, on DuckDB. */
export function createDataServer(context: DataContext): McpServer {
  const server = new McpServer(serverInfo, {
    capabilities: { logging: {} },
    instructions:
      'Data files (CSV, TSV, Parquet, JSON, Excel, SQLite) as SQL views. Start with list_datasets, then describe_dataset and profile_dataset; answer questions with query (DuckDB SQL, SELECT only) and chart; save results with export_result.',
  });
  registerListDatasets(server, context);
  registerDescribeDataset(server, context);
  registerProfileDataset(server, context);
  registerQuery(server, context);
  registerChart(server, context);
  registerExportResult(server, context);
  registerIngestionTools(server, context);
  registerDatasetResources(server, context);
  registerExplorePrompt(server);
  return server;
}
