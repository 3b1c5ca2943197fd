import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Database } from './database.js';
import { registerDemoPrompt } from './demo-prompt.js';
import { registerInsights } from './insights.js';
import { registerCreateTable } from './tools/create-table.js';
import { registerDescribeTable } from './tools/describe-table.js';
import { registerListTables } from './tools/list-tables.js';
import { registerReadQuery } from './tools/read-query.js';
import { registerWriteQuery } from './tools/write-query.js';

export const serverInfo = { name: 'dataflow-sqlite', title: 'SQLite (MCP DataFlow Chat)', version: '0.1.0' };

/** The reference SQLite tool set, on one database. A read-only database offers no writing tools. */
export function createSqliteServer(database: Database): McpServer {
  const server = new McpServer(serverInfo, {
    capabilities: { resources: { subscribe: true }, logging: {} },
    instructions: `An SQLite database${database.readOnly ? ' (read-only)' : ''}. Look around with list_tables and describe_table, query with read_query, and keep findings with append_insight.`,
  });
  registerReadQuery(server, database);
  registerListTables(server, database);
  registerDescribeTable(server, database);
  if (!database.readOnly) {
    registerWriteQuery(server, database);
    registerCreateTable(server, database);
  }
  registerInsights(server);
  registerDemoPrompt(server);
  return server;
}
