import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** `explore-data(path, topic?)`: a first look at one dataset, in the order an analyst would take. */
export function registerExplorePrompt(server: McpServer): void {
  server.registerPrompt(
    'explore-data',
    {
      title: 'Explore a dataset',
      description: 'Look at a dataset, profile it, and find what is worth knowing about it (optionally about one topic).',
      argsSchema: { path: z.string().describe('the dataset, relative to the data folder'), topic: z.string().optional().describe('what to look into') },
    },
    ({ path, topic }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Explore the dataset "${path}"${topic ? ` with a view to: ${topic}` : ''}.`,
              '1. Call describe_dataset to see its columns, types and first rows.',
              '2. Call profile_dataset to find missing values, ranges, skew and the most common values.',
              '3. Ask it three to five questions with query (one SELECT each, DuckDB SQL, by the view name describe_dataset gives).',
              '4. Where a picture helps, make a chart.',
              'Finish with a short summary: what the data holds, its quality problems, and the findings, each backed by a number.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
