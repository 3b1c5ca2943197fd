import { ConfigError } from '@dataflow/shared';
import { interpolate, redact, viewOf } from './interpolation.js';
import { isToolAllowed, type McpServerDefinition, parseMcpConfig } from './mcp-config.js';

const parse = (servers: Record<string, unknown>) => parseMcpConfig(JSON.stringify({ mcpServers: servers }), 'mcp.json');

describe('the MCP config file', () => {
  it('reads Claude Desktop entries, with our defaults for the keys it leaves out', () => {
    const config = parse({
      files: { command: 'npx', args: ['-y', 'server'], env: { A: '1' } },
      remote: { type: 'sse', url: 'https://example.com/sse', headers: { Authorization: 'Bearer x' } },
      plain: { url: 'http://127.0.0.1:9/mcp' },
    });
    expect(config.servers.get('files')).toMatchObject({
      transport: 'stdio', command: 'npx', args: ['-y', 'server'], env: { A: '1' }, enabled: true, scope: 'shared', timeoutMs: 120_000,
      restart: { mode: 'on-failure', maxCrashes: 5, windowMs: 60_000, initialDelayMs: 500, maxDelayMs: 30_000 },
    });
    expect(config.servers.get('remote')).toMatchObject({ transport: 'sse', headers: { Authorization: 'Bearer x' } });
    expect(config.servers.get('plain')).toMatchObject({ transport: 'streamable-http' });
  });

  it('keeps a broken entry as invalid, naming the file, the server and the key, and reads the rest', () => {
    const config = parse({
      good: { command: 'node' },
      typo: { command: 'node', timeoutMS: 5 },
      neither: { args: [] },
      badUrl: { url: 'ftp://x' },
      'bad__name': { command: 'node' },
      slow: { command: 'node', restart: { initialDelayMs: 5_000, maxDelayMs: 1_000 } },
    });
    expect(config.servers.get('good')?.transport).toBe('stdio');
    const problem = (name: string) => (config.servers.get(name) as { problem?: string }).problem;
    expect(problem('typo')).toBe('server "typo" in mcp.json: Unrecognized key: "timeoutMS"');
    expect(problem('neither')).toContain('needs either "command"');
    expect(problem('badUrl')).toContain('"url": must be an http:// or https:// URL');
    expect(problem('bad__name')).toContain('without "__"');
    expect(problem('slow')).toContain('must not exceed');
  });

  it('refuses a file that is not JSON or has no mcpServers object', () => {
    expect(() => parseMcpConfig('{', 'mcp.json')).toThrow(ConfigError);
    expect(() => parseMcpConfig('{"servers": {}}', 'mcp.json')).toThrow('must be an object with an "mcpServers" object');
  });

  it('applies allow and deny lists', () => {
    const definition = { toolAllowlist: ['a', 'b'], toolDenylist: ['b'] } as McpServerDefinition;
    expect(['a', 'b', 'c'].filter((tool) => isToolAllowed(definition, tool))).toEqual(['a']);
  });
});

describe('${VAR} interpolation', () => {
  const stdio = (fields: Record<string, unknown>, name = 'srv') => parse({ [name]: { command: 'node', ...fields } }).servers.get(name) as McpServerDefinition;

  it('fills args, env and headers from the environment, and counts the values as secrets', () => {
    const { definition, secrets } = interpolate('srv', stdio({ args: ['--key=${KEY}'], env: { TOKEN: 'Bearer ${KEY}' } }), { KEY: 's3cret-value' });
    expect(definition).toMatchObject({ args: ['--key=s3cret-value'], env: { TOKEN: 'Bearer s3cret-value' } });
    expect(secrets).toEqual(['s3cret-value']);
    expect(redact('failed with s3cret-value twice: s3cret-value', secrets)).toBe('failed with *** twice: ***');
  });

  it('names each variable that is not set, and nothing of the values that are', () => {
    expect(() => interpolate('srv', stdio({ env: { A: '${SET}', B: '${MISSING_ONE}', C: '${MISSING_TWO}' } }), { SET: 'visible?' })).toThrow(
      'server "srv" needs ${MISSING_ONE}, ${MISSING_TWO}, which are not set in the broker\'s environment',
    );
  });

  it('fills the per-user variables only for per-user servers', () => {
    const shared = stdio({ args: ['${USER_DATA_DIR}'] });
    expect(() => interpolate('srv', shared, {})).toThrow('only a per-user server has; set "scope": "user"');
    const perUser = stdio({ args: ['${USER_DATA_DIR}'], env: { WHO: '${USER_ID}' }, scope: 'user' });
    const { definition, secrets } = interpolate('srv', perUser, {}, { USER_DATA_DIR: '/data/users/u1', USER_ID: 'u1' });
    expect(definition).toMatchObject({ args: ['/data/users/u1'], env: { WHO: 'u1' } });
    expect(secrets).toEqual([]);
  });

  it('shows an admin the templates as written, with every env and header value masked', () => {
    const view = viewOf(stdio({ args: ['${USER_DATA_DIR}'], env: { TOKEN: 'literal-secret' }, scope: 'user' }));
    expect(view).toEqual({ command: 'node', args: ['${USER_DATA_DIR}'], env: { TOKEN: '***' }, timeoutMs: 120_000 });
    const http = parse({ r: { url: 'http://h/mcp', headers: { Authorization: 'Bearer abc' } } }).servers.get('r') as McpServerDefinition;
    expect(viewOf(http)).toEqual({ url: 'http://h/mcp', headers: { Authorization: '***' }, timeoutMs: 120_000 });
  });
});
