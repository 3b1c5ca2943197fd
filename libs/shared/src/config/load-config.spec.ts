import { ConversationsEnv, GatewayEnv } from './env.js';
import { ConfigError, loadConfig, requireVariables } from './load-config.js';

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(GatewayEnv, { PORT: '8080' });
    expect(config).toMatchObject({ PORT: 8080, HOST: '0.0.0.0', LOG_LEVEL: 'info', RPC_TIMEOUT_MS: 10_000, REDIS_KEY_PREFIX: 'dfc' });
  });

  it('fails fast, naming every bad variable and what it got', () => {
    const attempt = () => loadConfig(GatewayEnv, { PORT: 'eighty', LOG_LEVEL: 'loud', REDIS_URL: 'http://cache:6379' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('PORT: must be a port number');
    expect(message).toContain('(got "eighty")');
    expect(message).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
  });

  it('never echoes the password of a URL it refuses', () => {
    expect(() => loadConfig(ConversationsEnv, { DATABASE_URL: 'mysql://app:hunter2@db:3306/x' })).toThrow('(got "mysql://app:***@db:3306/x")');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig(ConversationsEnv, { DATABASE_URL: '', HEALTH_PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.HEALTH_PORT).toBe(3001);
  });

  it('accepts the URLs of containers and managed services', () => {
    const config = loadConfig(ConversationsEnv, { DATABASE_URL: 'postgres://app:s3cret@postgres:5432/dataflow', REDIS_URL: 'rediss://:pw@cache.internal:6380/0' });
    expect(config.DATABASE_URL).toBe('postgres://app:s3cret@postgres:5432/dataflow');
  });

  it('names a variable that this way of running needs', () => {
    const config = loadConfig(ConversationsEnv, {});
    expect(() => requireVariables(config, ['DATABASE_URL', 'REDIS_URL'], 'when it runs alone')).toThrow(
      'DATABASE_URL: is required when it runs alone\n  - REDIS_URL: is required when it runs alone',
    );
  });

  it('reads MCP_ALLOWED_ORIGINS as a list of origins, and refuses one with a path', () => {
    expect(loadConfig(GatewayEnv, {}).MCP_ALLOWED_ORIGINS).toEqual([]);
    expect(loadConfig(GatewayEnv, { MCP_ALLOWED_ORIGINS: 'https://chat.example.com, http://localhost:6274,' }).MCP_ALLOWED_ORIGINS).toEqual([
      'https://chat.example.com',
      'http://localhost:6274',
    ]);
    expect(() => loadConfig(GatewayEnv, { MCP_ALLOWED_ORIGINS: 'https://chat.example.com/app' })).toThrow(
      'MCP_ALLOWED_ORIGINS: must be a comma-separated list of origins such as https://chat.example.com (scheme and host, no path)',
    );
  });
});
