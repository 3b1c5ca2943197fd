import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateToolGrantRequest, ListToolGrantsRequest, type ToolGrantDto, ToolGrantRef, ToolGrantsContract } from '@dataflow/shared';
import { ToolGrantsRepository } from './tool-grants.repository.js';

@Controller()
export class ToolGrantsHandler {
  private readonly logger = new Logger(ToolGrantsHandler.name);

  constructor(private readonly grants: ToolGrantsRepository) {}

  @MessagePattern(ToolGrantsContract.list.pattern)
  list(@Payload() request: ListToolGrantsRequest): Promise<ToolGrantDto[]> {
    return this.grants.list(request.ownerId, request.conversationId);
  }

  @MessagePattern(ToolGrantsContract.create.pattern)
  async create(@Payload() request: CreateToolGrantRequest): Promise<ToolGrantDto> {
    const grant = await this.grants.create(request.ownerId, request.tool, request.conversationId);
    this.logger.log({ toolGrantId: grant.id, ownerId: request.ownerId, tool: grant.tool, conversationId: grant.conversationId }, 'tool granted');
    return grant;
  }

  @MessagePattern(ToolGrantsContract.delete.pattern)
  async delete(@Payload() request: ToolGrantRef): Promise<{ deleted: true }> {
    await this.grants.delete(request.ownerId, request.id);
    this.logger.log({ toolGrantId: request.id, ownerId: request.ownerId }, 'tool grant revoked');
    return { deleted: true };
  }
}
