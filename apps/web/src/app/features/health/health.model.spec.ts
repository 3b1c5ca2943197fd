import { isTerminusHealthBody, reportFromTerminus, unreachableReport } from './health.model';

describe('the status page model', () => {
  const at = new Date('2026-12-06T00:00:00Z');

  it('is ready only when the HTTP status and Terminus agree, with each part and why a part is down', () => {
    const body = { status: 'error' as const, details: { redis: { status: 'up' }, conversations: { status: 'down', message: 'timed out' }, 'mcp-broker': { status: 'down' } } };
    expect(reportFromTerminus(body, false, at)).toEqual({
      overall: 'not-ready',
      parts: [{ name: 'redis', status: 'up' }, { name: 'conversations', status: 'down', message: 'timed out' }, { name: 'mcp-broker', status: 'down' }],
      checkedAt: at,
    });
    expect(reportFromTerminus({ status: 'ok', details: { redis: { status: 'up' } } }, true, at).overall).toBe('ready');
    expect(reportFromTerminus({ status: 'ok', details: {} }, false, at).overall).toBe('not-ready');
  });

  it('tells a Terminus body from anything else', () => {
    expect([isTerminusHealthBody({ status: 'ok' }), isTerminusHealthBody({ status: 'fine' }), isTerminusHealthBody('<html>'), isTerminusHealthBody(null)]).toEqual([true, false, false, false]);
    expect(unreachableReport('no answer', at)).toEqual({ overall: 'unreachable', parts: [], checkedAt: at, reason: 'no answer' });
  });
});
