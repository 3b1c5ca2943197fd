import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, FakeOpenAI } from '@dataflow/shared/testing';
import { accessibilityProblems, screenshots, signIn, startWebPlatform, type WebPlatform } from './web-browser.js';

const analyst = { email: 'cleo@example.com', password: 'a passphrase for the data team', name: 'Cleo Analyst' };
const sales = 'region,amount\nEast,120\nWest,80\nNorth,45\nEast,30\nSouth,60\n';

describe('the chat in Chromium, against npm start with a scripted OpenAI-compatible model', () => {
  let web: WebPlatform;
  let url: string;
  let fake: FakeOpenAI;
  let page: Page;
  let token: string;

  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  /** The answer being shown last, as text. */
  const lastAnswer = () => page.locator('app-answer-view').last();

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    // The platform titles a new conversation with a request of its own, without tools.
    fake.route((request) => request.tools === undefined, { text: 'Quarterly sales by region' });
    web = await startWebPlatform('web-chat', { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'fake-model' });
    url = web.url;
    const registered = await fetch(`${url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(analyst) });
    token = ((await registered.json()) as { accessToken: string }).accessToken;
    page = await (await web.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(url);
    await page.waitForURL(/\/sign-in/);
    await signIn(page, analyst);
    await page.getByTestId('composer-input').waitFor();
  });

  afterAll(async () => {
    await web?.stop();
    await fake?.stop();
  });

  it('takes a CSV dropped on the chat, then shows the model’s data.query and data.chart calls as cards, the table and the drawn chart', async () => {
    const dropped = await page.evaluateHandle((csv) => {
      const { DataTransfer } = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
      const transfer = new DataTransfer();
      transfer.items.add(new File([csv], 'sales.csv', { type: 'text/csv' }));
      return transfer;
    }, sales);
    await page.dispatchEvent('app-chat-page', 'drop', { dataTransfer: dropped });
    await page.getByRole('button', { name: 'Remove sales.csv' }).waitFor();
    const uploads = (await (await api('/api/v1/files')).json()) as { items: { storagePath: string }[] };
    const path = uploads.items[0]!.storagePath;
    // The data server's view of the file, named after its path.
    const view = path.replace(/\.[^./]+$/, '').replace(/[^\w]+/g, '_').toLowerCase();

    fake.reply(
      { toolCalls: [{ name: 'data__query', arguments: { sql: `SELECT region, sum(amount) AS total FROM ${view} GROUP BY region ORDER BY total DESC` } }] },
      { toolCalls: [{ name: 'data__chart', arguments: { dataset: path, mark: 'bar', x: 'region', y: 'amount', aggregate: 'sum', title: 'Sales by region' } }] },
      { text: 'Sales by region: **East leads** with 150.', chunks: 5 },
    );
    await page.getByTestId('composer-input').fill('Which region sells the most?');
    await page.getByTestId('composer-input').press('Enter');
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);

    await lastAnswer().locator('strong', { hasText: 'East leads' }).waitFor();
    const cards = lastAnswer().getByTestId('tool-card');
    expect(await cards.count()).toBe(2);
    expect(await cards.nth(0).textContent()).toContain('query');
    expect(await cards.nth(1).textContent()).toContain('chart');
    // The chart is drawn: an SVG with a bar per region.
    await lastAnswer().locator('[data-testid=chart] svg .mark-rect path').first().waitFor();
    expect(await lastAnswer().locator('[data-testid=chart] svg .mark-rect path').count()).toBe(4);
    expect(await page.getByTestId('message').first().getByTestId('attached-file').textContent()).toContain('sales.csv');
    // The model was told of the attached file.
    expect(JSON.stringify(fake.requests.filter((request) => request.tools).at(-3)!.messages)).toContain(path);
    // The view followed the answer to its end.
    const fromEnd = () => page.getByTestId('transcript').evaluate((element: { scrollHeight: number; scrollTop: number; clientHeight: number }) => element.scrollHeight - element.scrollTop - element.clientHeight);
    await eventually(async () => expect(await fromEnd()).toBeLessThan(80));
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'chat-chart.png') });

    const table = lastAnswer().getByTestId('result-table');
    expect(await table.locator('tbody tr').count()).toBe(4);
    expect(await table.locator('tbody tr').first().textContent()).toContain('East');
    // Sorting by a column reorders the rows.
    await table.getByRole('button', { name: 'region' }).click();
    await table.locator('tbody tr').first().filter({ hasText: 'East' }).waitFor();
    await table.getByRole('button', { name: 'region' }).click();
    await table.locator('tbody tr').first().filter({ hasText: 'West' }).waitFor();
  });

  it('asks before a write tool runs, and runs it once approved', async () => {
    fake.reply({ toolCalls: [{ name: 'sqlite__create_table', arguments: { query: 'CREATE TABLE notes (body TEXT)' } }] }, { text: 'Created the notes table.' });
    await page.getByTestId('composer-input').fill('Make a notes table');
    await page.getByTestId('composer-input').press('Enter');
    await lastAnswer().getByRole('button', { name: 'Approve' }).waitFor();
    expect(await lastAnswer().getByTestId('tool-status').textContent()).toContain('Waiting for your approval');
    // Screen readers hear the turn's course, not every word.
    expect(await page.getByTestId('chat-status').textContent()).toBe('A tool is waiting for your approval.');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'chat-approval.png') });
    await lastAnswer().getByRole('button', { name: 'Approve' }).click();
    await lastAnswer().getByText('Created the notes table.').waitFor();
    expect(await lastAnswer().getByTestId('tool-status').textContent()).toContain('Done');
  });

  it('stops a turn: the answer so far is kept, marked stopped', async () => {
    fake.reply({ text: 'word '.repeat(100), chunks: 100, delayMs: 100 });
    await page.getByTestId('composer-input').fill('Say many words');
    await page.getByTestId('composer-input').press('Enter');
    await lastAnswer().getByText('word word').waitFor();
    await page.getByTestId('stop').click();
    await lastAnswer().getByTestId('answer-stopped').waitFor();
    await page.getByTestId('send').waitFor();
    await page.getByTestId('chat-status').filter({ hasText: 'Stopped.' }).waitFor({ state: 'attached' });
    expect((await lastAnswer().textContent())!.split('word').length - 1).toBeLessThan(100);
  });

  it('picks a running answer up again after a reload, and follows it to its end', async () => {
    const words = Array.from({ length: 40 }, (_, index) => `w${index}`);
    fake.reply({ text: words.join(' '), chunks: 40, delayMs: 100 });
    await page.getByTestId('composer-input').fill('Count slowly');
    await page.getByTestId('composer-input').press('Enter');
    await lastAnswer().getByText('w3', { exact: false }).waitFor();
    await page.reload();
    await page.getByTestId('stop').waitFor();
    await lastAnswer().getByText('w39').waitFor({ timeout: 15_000 });
    expect(await lastAnswer().textContent()).toContain(words.join(' '));
    await page.getByTestId('send').waitFor();
  });

  it('edits a question into a second branch, with a switcher between the two', async () => {
    fake.reply({ text: 'Answer to the edit.' });
    const question = page.getByTestId('message').filter({ hasText: 'Count slowly' });
    await question.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit your message').fill('Count quickly');
    await page.getByRole('button', { name: 'Send the edit' }).click();
    await lastAnswer().getByText('Answer to the edit.').waitFor();
    const edited = page.getByTestId('message').filter({ hasText: 'Count quickly' });
    expect(await edited.getByTestId('branch-position').textContent()).toBe('2/2');
    await edited.getByRole('button', { name: 'Previous version' }).click();
    await page.getByTestId('message').filter({ hasText: 'Count slowly' }).getByTestId('branch-position').waitFor();
    expect(await lastAnswer().textContent()).toContain('w39');
  });

  it('follows, in a second tab already showing the conversation (at a phone’s width), a turn started in the first', async () => {
    const second = await page.context().newPage();
    await second.setViewportSize({ width: 375, height: 800 });
    await second.goto(page.url());
    await second.getByTestId('message').first().waitFor();
    fake.reply({ text: 'Seen from both tabs.', chunks: 10, delayMs: 150 });
    await page.getByTestId('composer-input').fill('Say it in both tabs');
    await page.getByTestId('composer-input').press('Enter');
    await second.getByTestId('stop').waitFor();
    await second.locator('app-answer-view').last().getByText('Seen from both tabs.').waitFor();
    await second.getByTestId('send').waitFor();
    // Nothing wider than the phone's screen.
    expect(await second.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await accessibilityProblems(second)).toEqual([]);
    await second.screenshot({ path: join(screenshots, 'chat-phone.png') });
    await second.close();
  });

  it('says a provider failure in words, and Retry answers again beside it', async () => {
    fake.reply({ status: 503, message: 'overloaded' }, { status: 503, message: 'overloaded' });
    await page.getByTestId('composer-input').fill('Try this');
    await page.getByTestId('composer-input').press('Enter');
    const failed = lastAnswer().getByTestId('answer-error');
    await failed.filter({ hasText: 'The model provider is not answering just now.' }).waitFor();
    fake.reply({ text: 'Recovered.' });
    await failed.getByRole('button', { name: 'Retry' }).click();
    await lastAnswer().getByText('Recovered.').waitFor();
    expect(await page.getByTestId('message').last().getByTestId('branch-position').textContent()).toBe('2/2');
  });

  it('renames, searches and deletes a conversation from the sidebar, with an Undo', async () => {
    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    const current = sidebar.locator('li.current');
    const title = (await current.locator('a').textContent())!.trim();
    await current.getByRole('button', { name: `Rename ${title}` }).click();
    await sidebar.getByLabel('New title').fill('Ledger review');
    await sidebar.getByLabel('New title').press('Enter');
    await sidebar.getByRole('link', { name: 'Ledger review' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).toBeTruthy();

    // A second conversation, so that the search has something to leave out.
    await page.keyboard.press('Control+Shift+O');
    await page.waitForURL(`${url}/`);
    fake.reply({ text: 'Hello.' });
    await page.getByTestId('composer-input').fill('Hello there');
    await page.getByTestId('composer-input').press('Enter');
    await lastAnswer().getByText('Hello.').waitFor();
    await page.waitForURL(/\/c\//);
    expect(await sidebar.getByTestId('conversation').count()).toBe(2);

    await sidebar.getByTestId('conversation-search').fill('ledger');
    await sidebar.locator('mark', { hasText: 'Ledger' }).waitFor();
    await sidebar.getByTestId('conversation').filter({ hasText: 'Quarterly' }).waitFor({ state: 'detached' });
    expect(await sidebar.getByTestId('conversation').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'chat-search.png') });
    await sidebar.getByTestId('conversation-search').fill('');
    await sidebar.getByTestId('conversation').nth(1).waitFor();

    // Up and Down move through the list.
    await sidebar.getByRole('link').first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent?.trim())).toBe('Ledger review');

    const review = sidebar.getByTestId('conversation').filter({ hasText: 'Ledger review' });
    await review.getByRole('button', { name: 'Delete Ledger review' }).click();
    // The row is gone: the keyboard is on the Undo.
    await eventually(async () => expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Undo'));
    await sidebar.getByTestId('undo').click();
    await review.waitFor();
    await review.getByRole('button', { name: 'Delete Ledger review' }).click();
    await sidebar.getByTestId('undo').waitFor();
    // Once the Undo is gone, the deletion is sent.
    await sidebar.getByTestId('undo').waitFor({ state: 'detached', timeout: 10_000 });
    const titles = async () => ((await (await api('/api/v1/conversations')).json()) as { items: { title: string }[] }).items.map((item) => item.title);
    await eventually(async () => expect(await titles()).toEqual(['Quarterly sales by region']), 5000);
  });

  it('sends a person whose session ran out to sign-in, and back to the conversation with the message they typed', async () => {
    const typed = 'A question typed as the session ran out';
    await page.getByTestId('composer-input').fill(typed);
    // The session is gone: the refresh cookie with it, and the gateway refuses the access token.
    await page.context().clearCookies();
    await page.route(
      '**/api/v1/conversations/*/messages',
      (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ status: 401, code: 'unauthorized', detail: 'The access token has expired' }) }),
      { times: 1 },
    );
    const conversation = page.url();
    await page.getByTestId('composer-input').press('Enter');
    await page.waitForURL(/\/sign-in\?returnUrl=%2Fc%2F/);
    await signIn(page, analyst);
    await page.waitForURL(conversation);
    await eventually(async () => expect(await page.getByTestId('composer-input').inputValue()).toBe(typed));
  });

  it('shows an MCP server’s crash and restart on the MCP servers page', async () => {
    // The analyst's own sqlite server ran the approved call; kill it as a crash would.
    execFileSync('pkill', ['-9', '-f', `servers/sqlite/main.js --root ${web.dataDir}`]);
    await page.goto(`${url}/servers`);
    const row = page.getByTestId('server-sqlite');
    await row.waitFor();
    const restarts = async () => Number((await row.getByTestId('server-restarts').textContent())?.match(/\d+/)?.[0] ?? 0);
    await eventually(async () => expect(await restarts()).toBeGreaterThan(0), 20_000);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'servers.png'), fullPage: true });
  });
});
