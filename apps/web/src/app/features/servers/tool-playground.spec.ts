import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import type { ToolInfo } from './servers.model';
import { ToolPlayground } from './tool-playground';

const chart: ToolInfo = {
  qualifiedName: 'data__chart',
  server: 'data',
  name: 'chart',
  title: 'Chart a query or a dataset',
  description: 'A Vega-Lite v5 spec with its data inlined.',
  inputSchema: {
    type: 'object',
    properties: {
      sql: { type: 'string', maxLength: 100_000, description: 'one SELECT statement to chart' },
      mark: { type: 'string', enum: ['bar', 'line', 'point'] },
      x: { type: 'string', description: 'column for the x axis' },
      limit: { type: 'integer', minimum: 1, default: 100 },
      stacked: { type: 'boolean' },
      fields: { type: 'array', items: { type: 'string' } },
    },
    required: ['sql', 'mark', 'x'],
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
};
const writeQuery: ToolInfo = {
  qualifiedName: 'sqlite__write_query',
  server: 'sqlite',
  name: 'write_query',
  inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  annotations: { readOnlyHint: false, destructiveHint: true },
};

describe('the tool playground', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened(chosen = 'data__chart') {
    const fixture = TestBed.createComponent(ToolPlayground);
    fixture.componentRef.setInput('tools', [chart, writeQuery]);
    fixture.componentRef.setInput('chosen', chosen);
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const field = (name: string) => root.querySelector<HTMLElement>(`[data-field="${name}"]`)!;
    const control = <T extends HTMLElement>(name: string) => field(name).querySelector<T>('input, select, textarea')!;
    const type = (name: string, value: string) => {
      const element = control<HTMLInputElement>(name);
      element.value = value;
      element.dispatchEvent(new Event(element.tagName === 'SELECT' ? 'change' : 'input'));
    };
    const run = async () => {
      root.querySelector<HTMLButtonElement>('[data-testid=playground-run]')!.click();
      await settled(fixture);
    };
    const result = () => root.querySelector<HTMLElement>('[data-testid=playground-result]')!;
    return { fixture, root, field, control, type, run, result };
  }

  it("makes a labelled form from the tool's input schema, with required fields marked and descriptions as hints", async () => {
    const { root, field, control } = await opened();
    expect(root.textContent).toContain('data__chart: A Vega-Lite v5 spec with its data inlined.');
    expect(root.textContent).toContain('read-only · the same arguments give the same outcome');
    expect(control('sql').tagName).toBe('TEXTAREA');
    expect(control('mark').tagName).toBe('SELECT');
    expect([...control<HTMLSelectElement>('mark').options].map((option) => option.textContent)).toEqual(['Choose…', 'bar', 'line', 'point']);
    expect(control<HTMLInputElement>('x').type).toBe('text');
    expect(control<HTMLInputElement>('limit').type).toBe('number');
    expect(control<HTMLInputElement>('limit').value).toBe('100');
    expect(control<HTMLInputElement>('stacked').type).toBe('checkbox');
    expect(control('fields').tagName).toBe('TEXTAREA');
    expect(field('fields').textContent).toContain('(JSON array)');

    // Every control has a label; the required ones say so.
    for (const element of root.querySelectorAll<HTMLElement>('input, select, textarea')) {
      const label = element.closest('label') ?? root.querySelector(`label[for="${element.id}"]`);
      expect(label, element.id).not.toBeNull();
    }
    expect(root.querySelector('label[for="pg-f0"]')!.textContent).toContain('(required)');
    expect(root.querySelector('label[for="pg-f3"]')!.textContent).not.toContain('(required)');
    expect(control('sql').getAttribute('aria-required')).toBe('true');
    const hint = root.querySelector(`#${control('sql').getAttribute('aria-describedby')}`)!;
    expect(hint.textContent).toBe('one SELECT statement to chart');
  });

  it('says what is missing beside each field and sends nothing; then runs with typed arguments and shows the text, the structured content and the time', async () => {
    const { fixture, root, field, control, type, run, result } = await opened();
    await run();
    http.expectNone('/api/v1/mcp/tools/data__chart/call');
    expect(field('sql').querySelector('.field-error')!.textContent).toBe('Required: fill this in.');
    expect(field('mark').querySelector('.field-error')!.textContent).toBe('Required: choose one.');
    expect(field('x').querySelector('.field-error')!.textContent).toBe('Required: fill this in.');
    expect(field('limit').querySelector('.field-error')).toBeNull();
    expect(control('sql').getAttribute('aria-invalid')).toBe('true');
    expect(control('sql').getAttribute('aria-describedby')).toContain('pg-f0-error');
    expect(document.activeElement).toBe(control('sql'));

    type('sql', 'SELECT day, amount FROM sales');
    type('mark', '1');
    type('x', 'day');
    type('limit', '20');
    type('fields', '["day"]');
    control<HTMLInputElement>('stacked').click();
    await settled(fixture);
    expect(field('sql').querySelector('.field-error')).toBeNull();
    await run();
    const call = http.expectOne('/api/v1/mcp/tools/data__chart/call');
    expect(call.request.method).toBe('POST');
    expect(call.request.body).toEqual({ arguments: { sql: 'SELECT day, amount FROM sales', mark: 'line', x: 'day', limit: 20, stacked: true, fields: ['day'] } });
    expect(root.querySelector<HTMLButtonElement>('[data-testid=playground-run]')!.disabled).toBe(true);
    call.flush({ content: [{ type: 'text', text: 'A line chart of 2 points.' }], structuredContent: { points: 2, truncated: false } });
    await settled(fixture);

    expect(result().getAttribute('data-outcome')).toBe('ok');
    expect(result().querySelector('[role=status]')!.textContent!.trim()).toMatch(/^The tool answered in \d+ ms\.$/);
    expect(result().querySelector('pre.text')!.textContent).toBe('A line chart of 2 points.');
    expect(result().querySelector('pre.json')!.textContent).toBe('{\n  "points": 2,\n  "truncated": false\n}');
    expect(root.querySelector<HTMLButtonElement>('[data-testid=playground-run]')!.disabled).toBe(false);
  });

  it("shows an isError result as the tool's error, and a refused call in the gateway's words", async () => {
    const { fixture, root, type, run, result } = await opened('sqlite__write_query');
    expect(root.textContent).toContain('may change things: asks for approval in a chat');
    expect(root.textContent).toContain('Here it runs at once, without the approval a chat asks for.');
    type('query', 'DELETE FROM nowhere');
    await run();
    http.expectOne('/api/v1/mcp/tools/sqlite__write_query/call').flush({ content: [{ type: 'text', text: 'no such table: nowhere' }], isError: true });
    await settled(fixture);
    expect(result().getAttribute('data-outcome')).toBe('tool-error');
    expect(result().querySelector('[role=status]')!.textContent!.trim()).toMatch(/^The tool reported an error, after \d+ ms\.$/);
    expect(result().querySelector('.tool-error pre')!.textContent).toBe('no such table: nowhere');

    await run();
    http
      .expectOne('/api/v1/mcp/tools/sqlite__write_query/call')
      .flush({ type: '/problems/server_unavailable', title: 'Service unavailable', status: 503, detail: 'The MCP server "sqlite" is unavailable: it is disabled', code: 'server_unavailable' }, { status: 503, statusText: 'Service Unavailable' });
    await settled(fixture);
    expect(result().getAttribute('data-outcome')).toBe('failed');
    expect(result().querySelector('[role=status]')!.textContent!.trim()).toMatch(/^The call failed after \d+ ms: The MCP server "sqlite" is unavailable: it is disabled$/);
    expect(result().querySelector('pre')).toBeNull();
  });

  it('takes the arguments as raw JSON, carried over from the form and back, and checks them before sending', async () => {
    const { fixture, root, control, type, run } = await opened();
    type('sql', 'SELECT 1');
    type('x', 'day');
    await settled(fixture);
    const toggle = [...root.querySelectorAll<HTMLButtonElement>('button')].find((button) => button.textContent === 'Write the arguments as JSON')!;
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    await settled(fixture);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const raw = root.querySelector<HTMLTextAreaElement>('#pg-raw')!;
    expect(JSON.parse(raw.value)).toEqual({ sql: 'SELECT 1', x: 'day', limit: 100 });
    expect(root.querySelector('label[for="pg-raw"]')).not.toBeNull();

    raw.value = '{"sql": "SELECT 2", "x": "day"}';
    raw.dispatchEvent(new Event('input'));
    await run();
    http.expectNone('/api/v1/mcp/tools/data__chart/call');
    expect(root.querySelector('#pg-raw-error')!.textContent).toBe('Missing the required argument mark.');
    expect(raw.getAttribute('aria-invalid')).toBe('true');

    raw.value = '{"sql": "SELECT 2", "x": "day", "mark": "bar", "extra": true}';
    raw.dispatchEvent(new Event('input'));
    await run();
    const call = http.expectOne('/api/v1/mcp/tools/data__chart/call');
    expect(call.request.body).toEqual({ arguments: { sql: 'SELECT 2', x: 'day', mark: 'bar', extra: true } });
    call.flush({ content: [] , structuredContent: { points: 0 } });
    await settled(fixture);

    toggle.click();
    await settled(fixture);
    expect(control<HTMLTextAreaElement>('sql').value).toBe('SELECT 2');
    expect(control<HTMLSelectElement>('mark').value).toBe('0');
    expect(root.textContent).toContain('The form has no field for extra: left out.');
  });
});
