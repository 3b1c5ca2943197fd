import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsContract, type ApiKeyDto, type ApiKeyOwner, CreateApiKeyRequest, FindApiKeyRequest, ListApiKeysRequest, RevokeApiKeyRequest } from '@dataflow/shared';
import { AccountsRepository } from './accounts.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';

@Controller()
export class ApiKeysHandler {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  @MessagePattern(AccountsContract.createApiKey.pattern)
  async create(@Payload() request: CreateApiKeyRequest): Promise<ApiKeyDto> {
    const key = await this.keys.create(request.userId, request.name, request.scopes, request.prefix, request.keyHash, request.expiresAt ? new Date(request.expiresAt) : null);
    this.logger.log({ userId: request.userId, keyId: key.id, scopes: key.scopes }, 'API key created');
    await this.accounts.audit('api_key.created', request.userId, `api-key:${key.id}`, undefined);
    return key;
  }

  @MessagePattern(AccountsContract.listApiKeys.pattern)
  list(@Payload() request: ListApiKeysRequest): Promise<ApiKeyDto[]> {
    return this.keys.list(request.userId);
  }

  @MessagePattern(AccountsContract.revokeApiKey.pattern)
  async revoke(@Payload() request: RevokeApiKeyRequest): Promise<ApiKeyDto> {
    const key = await this.keys.revoke(request.userId, request.id);
    this.logger.log({ userId: request.userId, keyId: key.id }, 'API key revoked');
    await this.accounts.audit('api_key.revoked', request.userId, `api-key:${key.id}`, undefined);
    return key;
  }

  @MessagePattern(AccountsContract.findApiKey.pattern)
  find(@Payload() request: FindApiKeyRequest): Promise<ApiKeyOwner> {
    return this.keys.find(request.keyHash);
  }
}
