/** `/api/v1/api-keys`, as the gateway's OpenAPI gives it. */
export const apiKeyScopes = ['conversations:read', 'conversations:write', 'chat', 'files', 'mcp:call', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** What each scope lets a key do, in words. */
export const scopeDescriptions: Readonly<Record<ApiKeyScope, string>> = {
  'conversations:read': 'read conversations and their messages',
  'conversations:write': 'create, rename, archive and delete conversations',
  chat: 'send messages and follow the answers',
  files: 'upload, list, preview and delete files',
  'mcp:call': 'call MCP tools directly, and use the MCP endpoint',
  admin: 'administer users and servers (admins only)',
};

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The key's first characters, to recognise it by. */
  readonly prefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface CreatedApiKey {
  /** The whole key, shown this once. */
  readonly key: string;
  readonly apiKey: ApiKey;
}
