import { ErrorCode } from '@dataflow/shared';
import { errorCodeForStatus, httpStatusFor, problemFor } from './problem-details.js';

describe('problem details', () => {
  it('maps every error code to an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
  });

  it.each([
    [ErrorCode.Timeout, 504],
    [ErrorCode.ServiceUnavailable, 503],
    [ErrorCode.NotFound, 404],
    [ErrorCode.ValidationFailed, 400],
    [ErrorCode.Internal, 500],
  ])('answers %s with %d', (code, status) => {
    expect(httpStatusFor(code)).toBe(status);
  });

  it('round-trips the statuses HTTP machinery raises', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 429, 503, 504]) expect(httpStatusFor(errorCodeForStatus(status))).toBe(status);
    expect(errorCodeForStatus(418)).toBe(ErrorCode.BadRequest);
    expect(errorCodeForStatus(502)).toBe(ErrorCode.Internal);
  });

  it('builds an RFC 9457 body with our code', () => {
    expect(problemFor(ErrorCode.NotFound, 'No such conversation')).toEqual({
      type: '/problems/not_found',
      title: 'Not found',
      status: 404,
      detail: 'No such conversation',
      code: 'not_found',
    });
  });
});
