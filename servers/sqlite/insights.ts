import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { resultOf } from './tools/tool-result.js';

export const insightsUri = 'memo://insights';

/**
 * The business-insights memo: `append_insight` adds to it, `memo://insights` reads it, and a
 * subscribed client hears `notifications/resources/updated` on each change. It lives as long
 * as the server process, as in the reference server.
 */
export function registerInsights(server: McpServer): void {
  const insights: string[] = [];
  const subscribed = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, ({ params }) => {
    subscribed.add(params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, ({ params }) => {
    subscribed.delete(params.uri);
    return {};
  });
  const memo = () =>
    insights.length === 0
      ? 'No business insights have been discovered yet.'
      : `📊 Business Intelligence Memo 📊\n\nKey Insights Discovered:\n\n${insights.map((insight) => `- ${insight}`).join('\n')}`;

  server.registerResource(
    'insights',
    insightsUri,
    { title: 'Business Insights Memo', description: 'A living document of discovered business insights', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: memo() }] }),
  );

  server.registerTool(
    'append_insight',
    {
      title: 'Add a business insight',
      description: 'Add a business insight to the memo',
      inputSchema: { insight: z.string().min(1).max(10_000).describe('Business insight discovered from data analysis') },
      outputSchema: { insights: z.number().int() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ insight }) => {
      insights.push(insight);
      if (subscribed.has(insightsUri)) await server.server.sendResourceUpdated({ uri: insightsUri }).catch(() => undefined);
      return resultOf({ insights: insights.length });
    },
  );
}
