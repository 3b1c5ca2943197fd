import { DistributedPlatform } from './distributed-platform.js';

describe('the OpenAPI description (distributed)', () => {
  let platform: DistributedPlatform;

  beforeAll(async () => {
    platform = new DistributedPlatform();
    await platform.start();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('describes every API route, its bodies and the auth schemes at /api/openapi.json', async () => {
    const response = await platform.api('/api/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
        '/api/v1/auth/me',
        '/api/v1/auth/password',
        '/api/v1/api-keys',
        '/api/v1/api-keys/{id}',
        '/api/v1/conversations',
        '/api/v1/mcp/servers',
        '/api/v1/mcp/tools/{qualifiedName}/call',
        '/health/ready',
      ]),
    );
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['access-token', 'api-key', 'refresh-cookie']);
    expect(document.components.schemas.RegisterRequest.properties).toEqual(
      expect.objectContaining({ email: expect.any(Object), password: expect.any(Object), name: expect.any(Object) }),
    );
    expect(document.components.schemas.RegisterRequest.required).toEqual(expect.arrayContaining(['email', 'password', 'name']));
  });

  it('describes the errors and the credentials of every route', async () => {
    const document = (await (await platform.api('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ route: `${method} ${path}`, path, operation })));
    for (const { route, path, operation } of operations) {
      const statuses = Object.keys(operation.responses);
      expect({ route, has500: statuses.includes('500') }).toEqual({ route, has500: true });
      expect(Object.keys(operation.responses['500']!.content!)).toEqual(['application/problem+json']);
      const secured = !path.startsWith('/health') && !/auth\/(setup|register|login|refresh|logout)$/.test(path);
      expect({ route, secured: Boolean(operation.security?.length) }).toEqual({ route, secured });
      if (secured) expect({ route, statuses }).toEqual({ route, statuses: expect.arrayContaining(['401', '403']) });
      if (path.includes('{')) expect({ route, statuses }).toEqual({ route, statuses: expect.arrayContaining(['404']) });
    }
    expect(document.paths['/api/v1/conversations']!.get!.security).toEqual([{ 'access-token': [] }, { 'api-key': ['conversations:read'] }]);
    // A signed-in user's own name and password: a session only, never an API key.
    expect(document.paths['/api/v1/auth/me']!.patch!.security).toEqual([{ 'access-token': [] }]);
    expect(document.paths['/api/v1/auth/password']!.post!.security).toEqual([{ 'access-token': [] }]);
  });

  it('serves Swagger UI at /api/docs', async () => {
    const response = await platform.api('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });
});
