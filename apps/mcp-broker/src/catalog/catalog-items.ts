import type { Prompt, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { type McpPromptInfo, type McpResourceInfo, type McpToolInfo, qualifiedName } from '@dataflow/shared';

/** A server's tool as the broker offers it: qualified name, schemas and annotations as the server sent them. */
export function toolInfo(server: string, tool: Tool): McpToolInfo {
  const info: McpToolInfo = { qualifiedName: qualifiedName(server, tool.name), server, name: tool.name, inputSchema: tool.inputSchema };
  if (tool.title !== undefined) info.title = tool.title;
  if (tool.description !== undefined) info.description = tool.description;
  if (tool.outputSchema !== undefined) info.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) info.annotations = tool.annotations;
  return info;
}

export function resourceInfo(server: string, resource: Resource): McpResourceInfo {
  const info: McpResourceInfo = { server, uri: resource.uri, name: resource.name };
  if (resource.title !== undefined) info.title = resource.title;
  if (resource.description !== undefined) info.description = resource.description;
  if (resource.mimeType !== undefined) info.mimeType = resource.mimeType;
  return info;
}

export function promptInfo(server: string, prompt: Prompt): McpPromptInfo {
  const info: McpPromptInfo = { qualifiedName: qualifiedName(server, prompt.name), server, name: prompt.name };
  if (prompt.title !== undefined) info.title = prompt.title;
  if (prompt.description !== undefined) info.description = prompt.description;
  if (prompt.arguments !== undefined) info.arguments = prompt.arguments;
  return info;
}
