import { readFile } from 'node:fs/promises';
import { ConfigError, type McpServerSummary, type McpTransportKind } from '@dataflow/shared';

/** One entry of the Claude-Desktop-style `mcpServers` file, with our own optional keys. */
export type McpServerDefinition =
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string; enabled: boolean; description?: string }
  | { transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string>; enabled: boolean; description?: string };

export interface McpConfig {
  servers: Map<string, McpServerDefinition>;
}

const serverNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new Error(`${where} must be an object of strings`);
  }
  return value as Record<string, string>;
}

function parseServer(name: string, raw: unknown): McpServerDefinition {
  if (!serverNamePattern.test(name)) throw new Error('its name must be 1-64 letters, digits, _ or -');
  if (!isRecord(raw)) throw new Error('it must be an object');
  const enabled = raw.enabled === undefined ? true : raw.enabled;
  if (typeof enabled !== 'boolean') throw new Error('"enabled" must be true or false');
  const description = raw.description;
  if (description !== undefined && typeof description !== 'string') throw new Error('"description" must be a string');
  if (typeof raw.command === 'string') {
    const args = raw.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new Error('"args" must be an array of strings');
    if (raw.cwd !== undefined && typeof raw.cwd !== 'string') throw new Error('"cwd" must be a string');
    return { transport: 'stdio', command: raw.command, args, env: stringRecord(raw.env, '"env"'), cwd: raw.cwd as string | undefined, enabled, description };
  }
  if (typeof raw.url === 'string') {
    const transport = (raw.type ?? 'streamable-http') as McpTransportKind;
    if (transport !== 'streamable-http' && transport !== 'sse') throw new Error('"type" must be "streamable-http" or "sse"');
    if (!URL.canParse(raw.url)) throw new Error('"url" is not a URL');
    return { transport, url: raw.url, headers: stringRecord(raw.headers, '"headers"'), enabled, description };
  }
  throw new Error('it needs either "command" (stdio) or "url" (streamable-http, sse)');
}

/** Reads and checks the config file; a problem is a ConfigError that names the file and the server. */
export async function loadMcpConfig(path: string): Promise<McpConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`MCP_CONFIG: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`MCP_CONFIG: ${path} is not valid JSON (${(error as Error).message})`]);
  }
  if (!isRecord(document) || !isRecord(document.mcpServers)) {
    throw new ConfigError([`MCP_CONFIG: ${path} must be an object with an "mcpServers" object`]);
  }
  const servers = new Map<string, McpServerDefinition>();
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(document.mcpServers)) {
    try {
      servers.set(name, parseServer(name, raw));
    } catch (error) {
      problems.push(`MCP_CONFIG: server "${name}" in ${path}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { servers };
}

export function summarize(name: string, definition: McpServerDefinition): McpServerSummary {
  const summary: McpServerSummary = { name, transport: definition.transport, enabled: definition.enabled };
  if (definition.description !== undefined) summary.description = definition.description;
  return summary;
}
