import { formatDuration, formatElapsed } from '../../core/format';
import { annotationWords, reloadSummary, serversSummary, stateAge, stateLabel, toolOffered } from './servers.model';

describe('the MCP servers model', () => {
  it('says each state with what it means', () => {
    expect(stateLabel({ state: 'ready' })).toBe('Ready — answering calls');
    expect(stateLabel({ state: 'restarting', lastError: 'the server process exited' })).toBe('Restarting after a crash — calls are refused until it is back');
    expect(stateLabel({ state: 'restarting' })).toBe('Restarting — calls are refused until it is back');
    expect(stateLabel({ state: 'failed' })).toMatch(/^Failed — gave up after repeated crashes/);
    expect(stateLabel({ state: 'disabled' })).toMatch(/^Disabled — switched off/);
    expect(stateLabel({ state: 'idle' })).toMatch(/^Idle — .*yours starts when it is first used/);
    expect(stateLabel({ state: 'starting' })).toMatch(/^Starting/);
    expect(stateLabel({ state: 'degraded' })).toMatch(/^Degraded — still answering/);
  });

  it('counts the servers by state, and says how long a state has lasted when the broker knows', () => {
    expect(serversSummary([{ state: 'ready' }, { state: 'failed' }, { state: 'ready' }])).toBe('3 servers: 2 ready, 1 failed.');
    expect(serversSummary([{ state: 'idle' }])).toBe('1 server: 1 idle.');
    expect(serversSummary([])).toBe('No MCP servers are configured.');
    expect(stateAge({ state: 'ready', stateAgeMs: 125_000 })).toBe('for 2 min 5 s');
    expect(stateAge({ state: 'disabled', stateAgeMs: 0 })).toBe('');
    expect([formatDuration(400), formatDuration(12_000), formatDuration(3_600_000), formatDuration(3_660_000), formatDuration(2 * 86_400_000 + 4 * 3_600_000)]).toEqual([
      'less than a second',
      '12 s',
      '1 h',
      '1 h 1 min',
      '2 d 4 h',
    ]);
    expect([formatElapsed(340.4), formatElapsed(2_440), formatElapsed(61_000)]).toEqual(['340 ms', '2.4 s', '1 min 1 s']);
  });

  it('says what the tool annotations mean, and which tools the config leaves out', () => {
    expect(annotationWords({ readOnlyHint: true, idempotentHint: true, openWorldHint: false })).toEqual(['read-only', 'the same arguments give the same outcome', 'works on its own data only']);
    expect(annotationWords({ readOnlyHint: false, destructiveHint: true })).toEqual(['may change things: asks for approval in a chat', 'may delete or overwrite data']);
    expect(annotationWords(undefined)).toEqual(['may change things: asks for approval in a chat']);
    expect(toolOffered({ timeoutMs: 1, toolAllowlist: ['query'] }, 'query')).toBe(true);
    expect(toolOffered({ timeoutMs: 1, toolAllowlist: ['query'] }, 'chart')).toBe(false);
    expect(toolOffered({ timeoutMs: 1, toolDenylist: ['write_query'] }, 'write_query')).toBe(false);
  });

  it('says what a reload did', () => {
    expect(reloadSummary({ added: ['github'], removed: ['old'], changed: [], unchanged: ['data', 'sqlite'], errors: {} })).toBe('Config reloaded: 1 added (github), 1 removed (old), 2 unchanged.');
    expect(reloadSummary({ added: [], removed: [], changed: ['data'], unchanged: [], errors: { data: 'MISSING is not set' } })).toBe('Config reloaded: 1 changed (data). 1 server cannot start:');
    expect(reloadSummary({ added: [], removed: [], changed: [], unchanged: [], errors: {} })).toBe('Config reloaded: no servers.');
  });
});
