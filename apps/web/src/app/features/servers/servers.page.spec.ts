import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import type { ServerDetail, ServerSummary, ToolInfo } from './servers.model';
import { ServersPage } from './servers.page';

const data: ServerSummary = {
  name: 'data',
  transport: 'stdio',
  scope: 'user',
  enabled: true,
  description: "The user's data files as SQL views",
  state: 'ready',
  stateSince: '2026-12-06T10:00:00.000Z',
  stateAgeMs: 125_000,
  restarts: 0,
  toolCount: 2,
  instances: 3,
};
const sqlite: ServerSummary = {
  name: 'sqlite',
  transport: 'stdio',
  scope: 'shared',
  enabled: true,
  state: 'restarting',
  stateSince: '2026-12-06T10:02:00.000Z',
  stateAgeMs: 800,
  restarts: 2,
  lastError: 'the server process exited; last stderr line: Error: database is locked',
  toolCount: 5,
};
const github: ServerSummary = { name: 'github', transport: 'streamable-http', scope: 'shared', enabled: false, state: 'disabled', stateSince: '2026-12-06T10:03:00.000Z', stateAgeMs: 0, restarts: 0, toolCount: 0 };

const query: ToolInfo = {
  qualifiedName: 'data__query',
  server: 'data',
  name: 'query',
  title: 'Run a query',
  description: 'Runs one SELECT statement.',
  inputSchema: { type: 'object', properties: { sql: { type: 'string', maxLength: 100_000 } }, required: ['sql'] },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
};
const exportResult: ToolInfo = {
  qualifiedName: 'data__export_result',
  server: 'data',
  name: 'export_result',
  description: 'Writes a query result to a file.',
  inputSchema: { type: 'object', properties: {} },
  annotations: { readOnlyHint: false, destructiveHint: true },
};
const dataDetail: ServerDetail = {
  ...data,
  definition: { command: 'node', args: ['dist/servers/data/main.js', '--root', '${USER_DATA_DIR}'], timeoutMs: 120_000, toolDenylist: ['export_result'] },
  tools: [query, exportResult],
  stderr: ['data server listening on stdio', 'warning: the cache is cold'],
};

describe('the MCP servers page (admins)', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = httpTestBed();
  });

  afterEach(() => http.verify());

  async function opened(servers: ServerSummary[] = [data, sqlite, github]) {
    const fixture = TestBed.createComponent(ServersPage);
    http.expectOne('/api/v1/mcp/servers').flush(servers);
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const row = (name: string) => root.querySelector<HTMLElement>(`[data-testid="server-${name}"]`)!;
    const text = (name: string, testid: string) => row(name).querySelector(`[data-testid="${testid}"]`)?.textContent?.trim();
    const button = (label: string) => root.querySelector<HTMLButtonElement>(`[aria-label="${label}"]`)!;
    return { fixture, root, row, text, button };
  }

  it('lists each server with its state in words, how long it has been in it, its restarts, tools and last error', async () => {
    const { root, row, text } = await opened();
    expect(text('data', 'server-state')).toBe('Ready — answering calls');
    expect(text('data', 'server-state-age')).toBe('for 2 min 5 s');
    expect(text('data', 'server-restarts')).toBe('0');
    expect(text('data', 'server-tools')).toBe('2');
    expect(row('data').textContent).toContain("The user's data files as SQL views");
    expect(row('data').textContent).toContain('per user: one instance each (3 running now)');
    expect(row('data').textContent).toContain('stdio (a local process)');

    expect(text('sqlite', 'server-state')).toBe('Restarting after a crash — calls are refused until it is back');
    expect(text('sqlite', 'server-restarts')).toBe('2');
    expect(text('sqlite', 'server-last-error')).toContain('database is locked');

    expect(text('github', 'server-state')).toBe('Disabled — switched off; calls are refused');
    expect(text('github', 'server-state-age')).toBeUndefined();
    expect(row('github').querySelector('[data-testid=server-restart]')).toBeNull();
    expect(row('github').querySelector('[aria-label="Enable github"]')).not.toBeNull();

    // One summary line is live; the rows, which change on every poll, are not.
    const summary = root.querySelector('[data-testid=servers-summary]')!;
    expect(summary.getAttribute('role')).toBe('status');
    expect(summary.textContent).toBe('3 servers: 1 ready, 1 restarting, 1 disabled.');
    expect(root.querySelector('.servers')!.querySelector('[role=status], [aria-live], [role=alert]')).toBeNull();
  });

  it('asks again every few seconds, so that a crash and its restart show without a reload', async () => {
    vi.useFakeTimers();
    try {
      const { fixture, root, text } = await opened();
      vi.advanceTimersByTime(3_000);
      http.expectOne('/api/v1/mcp/servers').flush([data, { ...sqlite, state: 'failed', stateAgeMs: 100, restarts: 5, lastError: 'could not connect: spawn ENOENT' }, github]);
      await settled(fixture);
      expect(text('sqlite', 'server-state')).toMatch(/^Failed — gave up after repeated crashes/);
      expect(text('sqlite', 'server-restarts')).toBe('5');
      expect(text('sqlite', 'server-last-error')).toBe('could not connect: spawn ENOENT');
      expect(root.querySelector('[data-testid=servers-summary]')!.textContent).toBe('3 servers: 1 ready, 1 failed, 1 disabled.');

      // The gateway out of reach: said once, and the last list stays.
      vi.advanceTimersByTime(3_000);
      http.expectOne('/api/v1/mcp/servers').flush({ detail: 'The MCP broker did not answer in time' }, { status: 504, statusText: 'Gateway Timeout' });
      await settled(fixture);
      expect(root.querySelector('[role=alert]')!.textContent).toContain('The servers cannot be listed: The MCP broker did not answer in time');
      expect(text('sqlite', 'server-restarts')).toBe('5');
    } finally {
      vi.useRealTimers();
    }
  });

  it('restarts, disables and enables a server, and says what the gateway refuses in its words', async () => {
    const { fixture, root, text, button } = await opened();
    expect(button('Restart sqlite').getAttribute('data-testid')).toBe('server-restart');
    button('Restart sqlite').click();
    await settled(fixture);
    expect(button('Restart sqlite').disabled).toBe(true);
    const restart = http.expectOne('/api/v1/mcp/servers/sqlite/restart');
    expect(restart.request.method).toBe('POST');
    restart.flush({ ...sqlite, state: 'ready', restarts: 3, stateAgeMs: 10, lastError: undefined });
    await settled(fixture);
    expect(text('sqlite', 'server-state')).toBe('Ready — answering calls');
    expect(text('sqlite', 'server-restarts')).toBe('3');
    expect(root.querySelector('[data-testid=servers-notice]')!.textContent).toBe('sqlite was restarted. Now: Ready — answering calls.');
    expect(root.querySelector('[data-testid=servers-notice]')!.closest('[role=status]')).not.toBeNull();

    button('Disable data').click();
    const disable = http.expectOne('/api/v1/mcp/servers/data/disable');
    expect(disable.request.method).toBe('POST');
    disable.flush({ ...data, enabled: false, state: 'disabled', stateAgeMs: 0, instances: 0 });
    await settled(fixture);
    expect(text('data', 'server-state')).toBe('Disabled — switched off; calls are refused');

    button('Enable github').click();
    const enable = http.expectOne('/api/v1/mcp/servers/github/enable');
    expect(enable.request.method).toBe('POST');
    enable.flush({ detail: 'The MCP broker is unavailable' }, { status: 503, statusText: 'Service Unavailable' });
    await settled(fixture);
    expect(root.querySelector('[data-testid=servers-error]')!.textContent).toBe('Could not enable github: The MCP broker is unavailable');
    expect(root.querySelector('[data-testid=servers-error]')!.getAttribute('role')).toBe('alert');
    expect(text('github', 'server-state')).toBe('Disabled — switched off; calls are refused');
    expect(button('Enable github').disabled).toBe(false);
  });

  it('reloads the config and says what changed, then lists the servers again', async () => {
    const { fixture, root } = await opened();
    root.querySelector<HTMLButtonElement>('[data-testid=reload-config]')!.click();
    const reload = http.expectOne('/api/v1/admin/mcp/reload');
    expect(reload.request.method).toBe('POST');
    reload.flush({ added: ['files'], removed: ['github'], changed: ['sqlite'], unchanged: ['data'], errors: { sqlite: 'server "sqlite": ${SQLITE_PATH} is not set' } });
    await settled(fixture);
    const report = root.querySelector('[data-testid=reload-report]')!;
    expect(report.textContent).toContain('Config reloaded: 1 added (files), 1 changed (sqlite), 1 removed (github), 1 unchanged. 1 server cannot start:');
    expect(report.querySelector('li')!.textContent).toBe('sqlite: server "sqlite": ${SQLITE_PATH} is not set');
    http.expectOne('/api/v1/mcp/servers').flush([data, { ...sqlite, state: 'failed', lastError: '${SQLITE_PATH} is not set' }]);
    await settled(fixture);
    expect(root.querySelector('[data-testid=server-github]')).toBeNull();

    root.querySelector<HTMLButtonElement>('[data-testid=reload-config]')!.click();
    http.expectOne('/api/v1/admin/mcp/reload').flush({ detail: 'The MCP config was not reloaded: Unexpected token } in JSON' }, { status: 400, statusText: 'Bad Request' });
    await settled(fixture);
    expect(root.querySelector('[role=alert]')!.textContent).toContain('The config was not reloaded: The MCP config was not reloaded: Unexpected token } in JSON');
  });

  it("shows a server's tools with their annotations in words and its last stderr lines, and opens a tool in the playground", async () => {
    const { fixture, root, row, button } = await opened();
    const details = button('Details of data');
    expect(details.getAttribute('aria-expanded')).toBe('false');
    details.click();
    await settled(fixture);
    expect(details.getAttribute('aria-expanded')).toBe('true');
    expect(row('data').querySelector('[data-testid=server-detail]')!.textContent).toContain('Loading the details of data');
    http.expectOne('/api/v1/mcp/servers/data').flush(dataDetail);
    await settled(fixture);

    const detail = row('data').querySelector('[data-testid=server-detail]')!;
    expect(detail.textContent).toContain('node dist/servers/data/main.js --root ${USER_DATA_DIR}');
    expect(detail.textContent).toContain('Calls time out after2 min');
    const tools = [...detail.querySelectorAll('[data-testid=server-tool]')];
    expect(tools.map((tool) => tool.getAttribute('data-name'))).toEqual(['query', 'export_result']);
    expect(tools[0]!.textContent).toContain('query — Run a query');
    expect(tools[0]!.textContent).toContain('Runs one SELECT statement.');
    expect(tools[0]!.querySelector('[data-testid=tool-annotations]')!.textContent).toBe('read-only · the same arguments give the same outcome · works on its own data only');
    expect(tools[1]!.querySelector('[data-testid=tool-annotations]')!.textContent).toBe('may change things: asks for approval in a chat · may delete or overwrite data');
    expect(tools[1]!.textContent).toContain("Left out by this server's allowlist or denylist");
    expect(tools[1]!.querySelector('button')).toBeNull();
    const stderr = detail.querySelector<HTMLPreElement>('pre[data-testid=server-stderr]')!;
    expect(stderr.textContent).toBe('data server listening on stdio\nwarning: the cache is cold');
    expect(stderr.getAttribute('tabindex')).toBe('0');

    [...tools[0]!.querySelectorAll('button')].find((item) => item.textContent === 'Try it: query in the playground')!.click();
    await settled(fixture);
    const select = root.querySelector<HTMLSelectElement>('#pg-tool')!;
    expect(select.value).toBe('data__query');
    expect(document.activeElement).toBe(select);
    expect(root.querySelector('label[for="pg-f0"]')!.textContent).toContain('sql');

    details.click();
    await settled(fixture);
    expect(row('data').querySelector('[data-testid=server-detail]')).toBeNull();
  });

  it('asks for the detail again when the expanded server changes state, and says when it cannot be shown', async () => {
    vi.useFakeTimers();
    try {
      const { fixture, row, button } = await opened();
      button('Details of sqlite').click();
      http.expectOne('/api/v1/mcp/servers/sqlite').flush({ ...sqlite, definition: { command: 'node', timeoutMs: 120_000 }, tools: [], stderr: ['Error: database is locked'] });
      await settled(fixture);
      expect(row('sqlite').querySelector('[data-testid=server-stderr]')!.textContent).toBe('Error: database is locked');
      expect(row('sqlite').textContent).toContain('It lists no tools now: it is not ready.');

      // Same state: the detail is not asked for again.
      vi.advanceTimersByTime(3_000);
      http.expectOne('/api/v1/mcp/servers').flush([data, { ...sqlite, stateAgeMs: 3_800 }, github]);
      await settled(fixture);
      http.expectNone('/api/v1/mcp/servers/sqlite');

      vi.advanceTimersByTime(3_000);
      http.expectOne('/api/v1/mcp/servers').flush([data, { ...sqlite, state: 'ready', restarts: 3, stateSince: '2026-12-06T10:02:05.000Z', lastError: undefined }, github]);
      await settled(fixture);
      http.expectOne('/api/v1/mcp/servers/sqlite').flush({ detail: 'There is no MCP server named "sqlite"' }, { status: 404, statusText: 'Not Found' });
      await settled(fixture);
      expect(row('sqlite').querySelector('[data-testid=server-detail]')!.textContent).toContain('The details of sqlite cannot be shown: There is no MCP server named "sqlite"');
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the tools for the playground only when asked, since that starts per-user servers', async () => {
    const { fixture, root } = await opened([data]);
    http.expectNone('/api/v1/mcp/tools');
    [...root.querySelectorAll('button')].find((button) => button.textContent === 'List the tools I can call')!.click();
    http.expectOne('/api/v1/mcp/tools').flush([query, exportResult]);
    await settled(fixture);
    const options = [...root.querySelectorAll<HTMLOptionElement>('#pg-tool option')].map((option) => option.textContent);
    expect(options).toEqual(['Choose a tool…', 'query — Run a query', 'export_result']);
    expect(root.querySelector('#pg-tool optgroup')!.getAttribute('label')).toBe('data');
  });
});
