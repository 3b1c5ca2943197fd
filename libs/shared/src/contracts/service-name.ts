/**
 * The services that answer requests. Each name is also its Redis stream and consumer group:
 * do not change one without a migration plan.
 */
export const ServiceName = {
  Conversations: 'conversations',
  McpBroker: 'mcp-broker',
} as const;

export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];
