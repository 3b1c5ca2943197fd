import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { type ApiKeyDto, type ApiKeyScope, apiKeyScopes, AppError, ErrorCode } from '@dataflow/shared';
import { AccountsClient } from './accounts.client.js';
import { apiKeyPrefix } from './bearer-authenticator.js';
import { CurrentCaller, SessionOnly } from './access.guard.js';
import type { Caller } from './jwt.strategy.js';
import { hashToken } from './tokens.service.js';

export class CreateApiKeyBody {
  @Length(1, 100, { message: 'name must have 1 to 100 characters' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  name!: string;

  @IsIn(apiKeyScopes, { each: true, message: `each scope must be one of ${apiKeyScopes.join(', ')}` })
  @ArrayUnique()
  @ArrayMaxSize(apiKeyScopes.length)
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  scopes!: ApiKeyScope[];

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date and time' })
  expiresAt?: string;
}

/** The new key, shown this once, and what is kept of it. */
export interface CreatedApiKey {
  key: string;
  apiKey: ApiKeyDto;
}

/** API keys for external integrations. Managed by a signed-in user, never by another key. */
@Controller('api/v1/api-keys')
@SessionOnly()
export class ApiKeysController {
  constructor(private readonly accounts: AccountsClient) {}

  @Post()
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateApiKeyBody): Promise<CreatedApiKey> {
    if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) throw new AppError(ErrorCode.ValidationFailed, 'expiresAt must be in the future', { field: 'expiresAt' });
    if (body.scopes.includes('admin') && caller.role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'Only an admin can make a key with the admin scope');
    const key = `${apiKeyPrefix}${randomBytes(30).toString('base64url')}`;
    const apiKey = await this.accounts.createApiKey({
      userId: caller.userId,
      name: body.name,
      scopes: body.scopes,
      prefix: key.slice(0, apiKeyPrefix.length + 8),
      keyHash: hashToken(key),
      expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : undefined,
    });
    return { key, apiKey };
  }

  @Get()
  list(@CurrentCaller() caller: Caller): Promise<ApiKeyDto[]> {
    return this.accounts.listApiKeys(caller.userId);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppError(ErrorCode.NotFound, 'There is no such API key') })) id: string): Promise<void> {
    await this.accounts.revokeApiKey(caller.userId, id);
  }
}
