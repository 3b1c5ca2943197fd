import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import {
  type CallToolEvent,
  type CallToolRequest,
  type EnvelopeContext,
  type GetPromptRequest,
  McpBrokerContract,
  type McpPromptInfo,
  type McpPromptMessages,
  type McpResourceContents,
  type McpResourceInfo,
  type McpToolInfo,
  type McpUserScoped,
  type ReadResourceRequest,
} from '@dataflow/shared';
import { CatalogService } from './catalog.service.js';

@Controller()
export class CatalogHandler {
  constructor(private readonly catalog: CatalogService) {}

  @MessagePattern(McpBrokerContract.listTools.pattern)
  listTools(@Payload() request: McpUserScoped): Promise<McpToolInfo[]> {
    return this.catalog.listTools(request?.userId);
  }

  @MessagePattern(McpBrokerContract.callTool.pattern)
  callTool(@Payload() request: CallToolRequest, @Ctx() context: EnvelopeContext): Observable<CallToolEvent> {
    return this.catalog.callTool(request, context.signal);
  }

  @MessagePattern(McpBrokerContract.listResources.pattern)
  listResources(@Payload() request: McpUserScoped): Promise<McpResourceInfo[]> {
    return this.catalog.listResources(request?.userId);
  }

  @MessagePattern(McpBrokerContract.readResource.pattern)
  readResource(@Payload() request: ReadResourceRequest): Promise<McpResourceContents> {
    return this.catalog.readResource(request);
  }

  @MessagePattern(McpBrokerContract.listPrompts.pattern)
  listPrompts(@Payload() request: McpUserScoped): Promise<McpPromptInfo[]> {
    return this.catalog.listPrompts(request?.userId);
  }

  @MessagePattern(McpBrokerContract.getPrompt.pattern)
  getPrompt(@Payload() request: GetPromptRequest): Promise<McpPromptMessages> {
    return this.catalog.getPrompt(request);
  }
}
