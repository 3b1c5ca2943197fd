import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
type IsURLOptions = NonNullable<Parameters<typeof IsUrl>[0]>;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const redisUrl: IsURLOptions = { protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true };
const postgresUrl: IsURLOptions = { protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true };

/** Variables every app reads. */
export const registrationPolicies = ['open', 'invite', 'closed'] as const;
export type RegistrationPolicy = (typeof registrationPolicies)[number];

export class BaseEnv {
  @IsIn(logLevels, { message: `must be one of ${logLevels.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** When set, apps talk over Redis Streams; when unset (standalone), in process. */
  @IsOptional()
  @IsUrl(redisUrl, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every Redis key the platform uses, so that several installs can share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 letters, digits, _ or -' })
  REDIS_KEY_PREFIX = 'dfc';

  /** The deadline of a request from one app to another. */
  @Type(() => Number)
  @Min(100)
  @Max(600_000)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  RPC_TIMEOUT_MS = 10_000;
}

export class GatewayEnv extends BaseEnv {
  @Type(() => Number)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'must be a port number' })
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /**
   * How long an idle keep-alive connection stays open. Longer than the idle timeout of the proxies
   * in front (60 s for most load balancers and nginx), so that the gateway never closes a
   * connection just as a proxy or client sends on it (Node's own default, 5 s, makes that race common).
   */
  @Type(() => Number)
  @Min(1_000)
  @Max(3_600_000)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  HTTP_KEEP_ALIVE_MS = 65_000;

  /** The built web app; the default is where `npm run build` puts it. */
  @IsString()
  WEB_DIR = 'dist/web/browser';

  /**
   * Browser origins, besides a loopback page on the gateway's own host, whose pages may call
   * `/mcp` (comma-separated, e.g. `https://chat.example.com`). Requests with no Origin are allowed.
   */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== '')
      : value,
  )
  @Matches(/^https?:\/\/[^/?#\s]+$/, { each: true, message: 'must be a comma-separated list of origins such as https://chat.example.com (scheme and host, no path)' })
  MCP_ALLOWED_ORIGINS: string[] = [];

  /** An MCP session on `/mcp` that sees no request for this long is closed. */
  @Type(() => Number)
  @Min(1_000)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  MCP_SESSION_IDLE_MS = 600_000;

  /** The most MCP sessions open on `/mcp` at once; beyond it the least recently used is closed. */
  @Type(() => Number)
  @Min(1)
  @Max(100_000)
  @IsInt()
  MCP_SESSION_LIMIT = 1_000;

  /**
   * Signs the access tokens (HS256). Required when the gateway runs as its own process; `npm start`
   * generates one on first run and keeps it under DATA_DIR.
   */
  @IsOptional()
  @MinLength(32, { message: 'must be at least 32 characters (e.g. openssl rand -base64 48)' })
  @IsString()
  JWT_SECRET?: string;

  /** The `iss` of access tokens, checked on every request. */
  @IsString()
  JWT_ISSUER = 'mcp-dataflow-chat';

  /** The `aud` of access tokens, checked on every request. */
  @IsString()
  JWT_AUDIENCE = 'mcp-dataflow-chat-api';

  /** How long an access token lives; the SPA refreshes it silently. */
  @Type(() => Number)
  @Min(60)
  @Max(86_400)
  @IsInt({ message: 'must be a whole number of seconds' })
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /** How long a refresh token lives unused; each refresh replaces it. */
  @Type(() => Number)
  @Min(1)
  @Max(365)
  @IsInt({ message: 'must be a whole number of days' })
  REFRESH_TOKEN_TTL_DAYS = 30;

  /** Who may create an account once the first (admin) account exists. `invite` needs an invitation from an admin. */
  @IsIn(registrationPolicies, { message: `must be one of ${registrationPolicies.join(', ')}` })
  REGISTRATION: RegistrationPolicy = 'invite';

  /** Requests per minute from one client address to the sign-in routes (register, login, refresh, logout). */
  @Type(() => Number)
  @Min(1)
  @IsInt()
  AUTH_RATE_LIMIT_PER_MINUTE = 30;

  /** Requests per minute to register or log in with one email, from anywhere. */
  @Type(() => Number)
  @Min(1)
  @IsInt()
  AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE = 10;

  /** Where the users' files live, in `users/`, unless USER_DATA_ROOT says otherwise. */
  @IsString()
  DATA_DIR = './data';

  /**
   * The folder of every user's data folder, `<USER_DATA_ROOT>/<user id>`, where uploads go. It must be
   * the MCP broker's USER_DATA_ROOT, so that per-user servers see the uploads; by default `<DATA_DIR>/users`.
   */
  @IsOptional()
  @IsString()
  USER_DATA_ROOT?: string;

  /** The largest file one upload may be. */
  @Type(() => Number)
  @Min(1)
  @IsInt({ message: 'must be a whole number of bytes' })
  UPLOAD_MAX_BYTES = 200_000_000;

  /** What one user's uploads may take up in all. */
  @Type(() => Number)
  @Min(1)
  @IsInt({ message: 'must be a whole number of bytes' })
  UPLOAD_QUOTA_BYTES = 5_000_000_000;

  /** A JSON file of models (`{"models": [{id, label, provider, model, baseUrl?, apiKeyEnv?, contextWindow?, tools?, default?}]}`); the env below adds to it. */
  @IsOptional()
  @IsString()
  MODELS_FILE?: string;

  /** With OPENAI_MODEL: OpenAI's API, or with OPENAI_BASE_URL any OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp, OpenRouter). */
  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional()
  @IsString()
  OPENAI_BASE_URL?: string;

  @IsOptional()
  @IsString()
  OPENAI_MODEL?: string;

  @IsOptional()
  @IsString()
  ANTHROPIC_API_KEY?: string;

  @IsOptional()
  @IsString()
  ANTHROPIC_MODEL?: string;

  /** The most model steps (a step: one model call and the tool calls it asks for) in one turn. */
  @Type(() => Number)
  @Min(1)
  @Max(50)
  @IsInt()
  CHAT_MAX_STEPS = 8;

  /** How much of a tool's result goes back to the model; the whole result still goes to the client and the database. */
  @Type(() => Number)
  @Min(500)
  @IsInt()
  CHAT_TOOL_RESULT_CHARS = 8_000;

  /** The most tools a model is offered in one turn; a larger catalog is narrowed to the tools most relevant to the question. */
  @Type(() => Number)
  @Min(1)
  @Max(500)
  @IsInt()
  CHAT_MAX_TOOLS = 40;

  /** How long a tool call waits for the user's approval before it is refused. */
  @Type(() => Number)
  @Min(1_000)
  @IsInt()
  CHAT_APPROVAL_TIMEOUT_MS = 10 * 60_000;
}

export class ConversationsEnv extends BaseEnv {
  @IsOptional()
  @IsUrl(postgresUrl, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Type(() => Number)
  @Min(1)
  @Max(200)
  @IsInt()
  DB_POOL_SIZE = 10;

  /** Port of the HTTP server that answers orchestrator probes (/health/live, /health/ready). */
  @Type(() => Number)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'must be a port number' })
  HEALTH_PORT = 3001;
}

export class McpBrokerEnv extends BaseEnv {
  /** The `mcpServers` JSON file. */
  @IsString()
  MCP_CONFIG = 'config/mcp-servers.json';

  /** Reload MCP_CONFIG when the file changes (`false`: only on `POST /api/v1/admin/mcp/reload`). */
  @Transform(({ value }) => (value === 'false' || value === '0' ? false : value === 'true' || value === '1' ? true : value))
  @IsBoolean({ message: 'must be true or false' })
  MCP_CONFIG_WATCH = true;

  /** Each user's files live in `<USER_DATA_ROOT>/<user id>`: `${USER_DATA_DIR}` of per-user servers. */
  @IsString()
  USER_DATA_ROOT = './data/users';

  /** The most per-user server instances this broker runs at once; the least recently used goes first. */
  @Type(() => Number)
  @Min(1)
  @Max(10_000)
  @IsInt()
  MCP_USER_INSTANCE_LIMIT = 50;

  /** A per-user instance unused this long is stopped. */
  @Type(() => Number)
  @Min(1_000)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  MCP_USER_IDLE_MS = 600_000;

  /** What the results of read-only, idempotent tool calls may take up in memory; 0 turns the cache off. */
  @Type(() => Number)
  @Min(0)
  @IsInt({ message: 'must be a whole number of bytes' })
  ANALYSIS_CACHE_MAX_BYTES = 64 * 1024 * 1024;

  /** How long a cached tool result is served, even when the files it was computed from did not change. */
  @Type(() => Number)
  @Min(1_000)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  ANALYSIS_CACHE_TTL_MS = 600_000;

  @Type(() => Number)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'must be a port number' })
  HEALTH_PORT = 3002;
}

/** `npm start`: every app in one process. It also reads the other apps' variables. */
export class StandaloneEnv {
  /** Where the embedded Postgres and the users' files live. */
  @IsString()
  DATA_DIR = './data';
}
