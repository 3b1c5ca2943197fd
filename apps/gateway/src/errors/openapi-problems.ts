import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = {
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { in?: string }[];
  responses?: Record<string, unknown>;
};

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** The problem+json body of every error answer (RFC 9457), as `ProblemDetailsFilter` writes it. */
const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: '/problems/not_found' },
    title: { type: 'string', example: 'Not found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string', example: 'There is no such conversation' },
    code: { type: 'string', description: 'One of the API’s error codes', example: 'not_found' },
    instance: { type: 'string', example: '/api/v1/conversations/0d9d…' },
    errorId: { type: 'string', description: 'On 5xx answers: quote it to an admin, who finds it in the logs' },
    details: { type: 'object', description: 'More about the problem: the field at fault, seconds to wait, …' },
  },
};

/**
 * Adds the error answers every route can give, from what the route is: each answer is
 * problem+json. Routes with credentials can answer 401 and 403; routes that name a thing, 404
 * (another user's thing is a 404 too); routes that take input, 400; the sign-in routes, 429.
 */
export function describeProblems(document: OpenAPIObject): void {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: problemSchema } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      const problem = (status: number, description: string) => {
        responses[status] ??= { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      };
      if (operation.requestBody || operation.parameters?.some((parameter) => parameter.in === 'query' || parameter.in === 'path')) {
        problem(400, 'The request is not valid: the detail names the field and the rule');
      }
      if (operation.security?.length) {
        problem(401, 'No credentials, or ones that are not valid now (expired, revoked)');
        problem(403, 'The caller may not do this: an API key without the scope, or a member on an admin route');
      }
      if (path.includes('{')) problem(404, 'There is no such thing, or it is another user’s');
      if (path.startsWith('/api/v1/auth/')) problem(429, 'Too many attempts: wait for Retry-After seconds');
      problem(500, 'An unexpected error: the answer carries an errorId');
      problem(503, 'A service the route needs is unavailable; try again');
      problem(504, 'A service the route needs did not answer in time');
    }
  }
}
