import { type Answer, answerOfParts, applyTurnEvent, emptyAnswer, errorInWords, resultText, type ToolCall } from './answer';
import type { TurnEvent } from './chat.model';

const tableResult = { content: [{ type: 'text', text: '2 rows' }], structuredContent: { columns: [{ name: 'region', type: 'VARCHAR' }], rows: [{ region: 'East' }, { region: 'West' }] } };
const chartSpec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Sales', mark: 'bar' };

const play = (events: TurnEvent[], now = 1000): Answer => events.reduce((answer, event) => applyTurnEvent(answer, event, now), emptyAnswer);
const toolOf = (answer: Answer) => answer.blocks.find((block): block is ToolCall => block.kind === 'tool')!;

describe('an answer as the chat shows it', () => {
  it('joins text deltas into one block, and splits the text around a tool call', () => {
    const answer = play([
      { type: 'text-delta', text: 'Let me ' },
      { type: 'text-delta', text: 'look.' },
      { type: 'tool-call', toolCallId: 'c1', server: 'data', tool: 'query', arguments: { sql: 'SELECT 1' } },
      { type: 'text-delta', text: 'Done.' },
    ]);
    expect(answer.blocks.map((block) => block.kind)).toEqual(['text', 'tool', 'text']);
    expect(answer.blocks[0]).toEqual({ kind: 'text', text: 'Let me look.' });
  });

  it('follows a tool call through progress, approval, its result, its table and its chart', () => {
    const call: TurnEvent = { type: 'tool-call', toolCallId: 'c1', server: 'data', tool: 'query', arguments: {} };
    expect(toolOf(play([call], 5000))).toMatchObject({ state: 'running', startedAt: 5000 });
    expect(toolOf(play([call, { type: 'tool-progress', toolCallId: 'c1', progress: 30, total: 120, message: 'ingesting' }])).progress).toEqual({ share: 0.25, message: 'ingesting' });
    expect(toolOf(play([call, { type: 'tool-progress', toolCallId: 'c1', progress: 3 }])).progress).toEqual({ share: null });
    expect(toolOf(play([call, { type: 'approval-required', toolCallId: 'c1', server: 'data', tool: 'query', arguments: {} }])).state).toBe('approval');
    const done = play([
      call,
      { type: 'tool-result', toolCallId: 'c1', result: tableResult, isError: false, durationMs: 42, cached: true },
      { type: 'table', toolCallId: 'c1', columns: [{ name: 'region' }], rows: [{ region: 'East' }], rowCount: 9 },
      { type: 'chart', toolCallId: 'c1', spec: chartSpec, title: 'Sales' },
      { type: 'done', status: 'complete', messageId: 'm1' },
    ]);
    expect(toolOf(done)).toMatchObject({ state: 'done', durationMs: 42, cached: true, table: { columns: [{ name: 'region' }], rows: [{ region: 'East' }], rowCount: 9 }, chart: { spec: chartSpec, title: 'Sales' } });
    expect(done.status).toBe('complete');
  });

  it('shows a call that never finished, in a stopped answer, as failed; and a repeated tool-call (a resumed stream) once', () => {
    const call: TurnEvent = { type: 'tool-call', toolCallId: 'c1', server: 'data', tool: 'query', arguments: {} };
    const stopped = play([call, call, { type: 'done', status: 'cancelled', messageId: 'm1' }]);
    expect(stopped.blocks).toHaveLength(1);
    expect(toolOf(stopped).state).toBe('failed');
    expect(stopped.status).toBe('cancelled');
  });

  it('reads a saved answer the same way: tables and charts come from the saved results', () => {
    const answer = answerOfParts(
      [
        { type: 'text', text: 'Here.' },
        { type: 'tool_call', callId: 'c1', tool: 'data__query', arguments: { sql: 'SELECT 1' } },
        { type: 'tool_result', callId: 'c1', isError: false, content: tableResult },
        { type: 'tool_call', callId: 'c2', tool: 'data__chart', arguments: {} },
        { type: 'tool_result', callId: 'c2', isError: false, content: { content: [], structuredContent: { spec: chartSpec } } },
        { type: 'error', code: 'provider_rate_limited', message: 'slow down' },
      ],
      'error',
    );
    const [text, query, chart, error] = answer.blocks;
    expect(text).toEqual({ kind: 'text', text: 'Here.' });
    expect(query).toMatchObject({ kind: 'tool', server: 'data', tool: 'query', state: 'done', table: { rows: [{ region: 'East' }, { region: 'West' }] } });
    expect(chart).toMatchObject({ kind: 'tool', tool: 'chart', chart: { spec: chartSpec, title: 'Sales' } });
    expect(error).toEqual({ kind: 'error', code: 'provider_rate_limited', message: 'slow down' });
  });

  it('says provider errors in words a person can act on', () => {
    expect(errorInWords('provider_auth', 'x')).toContain('API key');
    expect(errorInWords('context_overflow', 'x')).toContain('too long');
    expect(errorInWords('provider_error', 'boom')).toBe('The model provider failed: boom');
    expect(errorInWords('something_new', 'As the server said.')).toBe('As the server said.');
  });

  it("gives a result's text, or its structured content as JSON", () => {
    expect(resultText(tableResult)).toBe('2 rows');
    expect(resultText({ content: [], structuredContent: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(resultText('plain')).toBe('plain');
  });
});
