import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The reference server's guided demo: the model builds a small database on a topic and analyses it. */
export function registerDemoPrompt(server: McpServer): void {
  server.registerPrompt(
    'mcp-demo',
    {
      title: 'SQLite demo',
      description: 'A prompt to seed the database with initial data and demonstrate what you can do with an SQLite MCP Server + Claude',
      argsSchema: { topic: z.string().min(1).describe('Topic to seed the database with initial data') },
    },
    ({ topic }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `You are helping a user explore a business scenario about "${topic}" with an SQLite database.`,
              '1. Use create_table to design a few tables for the scenario, and write_query to fill them with realistic sample data.',
              '2. Use list_tables, describe_table and read_query to analyse the data, explaining each query.',
              '3. Each time you find something a business owner should know, record it with append_insight; the memo://insights resource shows the memo.',
              '4. End with a short summary of the insights and what to look at next.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
