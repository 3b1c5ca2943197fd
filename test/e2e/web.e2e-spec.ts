import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems, screenshots, signIn, startWebPlatform, type WebPlatform } from './web-browser.js';

/** The admin the first test creates. */
const admin = { email: 'ana@example.com', password: 'a passphrase for the whole team' };

describe('the web app, in Chromium, against npm start (no model: direct mode)', () => {
  let web: WebPlatform;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    web = await startWebPlatform('web');
    ({ url, browser } = web);
  });

  afterAll(() => web?.stop());

  it('walks the first visitor of an empty instance through creating the admin account, then says what direct mode means', async () => {
    expect(await (await fetch(`${url}/api/v1/auth/setup`)).json()).toEqual({ firstRun: true, registration: expect.any(String) });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForURL(`${url}/setup`);
    await page.getByRole('heading', { name: 'Welcome to MCP DataFlow Chat' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'setup.png'), fullPage: true });

    // A password that is too short is explained, and nothing is sent.
    await page.getByLabel('Your name').fill('Ana Admin');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create the admin account' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();

    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Create the admin account' }).click();
    await page.getByRole('heading', { name: 'Your instance is ready' }).waitFor();
    expect(await page.getByTestId('model-status').textContent()).toContain('No model is configured: direct mode');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Ana Admin');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'home-direct-mode.png'), fullPage: true });
    expect(await (await fetch(`${url}/api/v1/auth/setup`)).json()).toMatchObject({ firstRun: false });

    // A reload keeps the session: the refresh cookie gets a new access token, silently.
    await page.reload();
    await page.getByTestId('signed-in-as').filter({ hasText: 'Ana Admin' }).waitFor();
    expect(page.url()).toMatch(/\/(\?welcome=1)?$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'sign-in.png'), fullPage: true });
    await context.close();
  });

  it('uploads a CSV with its progress, previews it, follows its ingestion into the columnar cache, and deletes it', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/files`);
    await page.waitForURL(/\/sign-in\?returnUrl=%2Ffiles/);
    await signIn(page, admin);
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    await page.getByText('No files yet.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    const rows = ['id,region,amount', ...Array.from({ length: 5_000 }, (_, index) => `${index + 1},${['north', 'south'][index % 2]},${index * 1.5}`)].join('\n');
    await page.locator('#file-input').setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from(rows) });
    await page.getByTestId('sending').filter({ hasText: 'Uploaded' }).waitFor();
    const row = page.getByTestId('file-row').filter({ hasText: 'sales.csv' });
    await row.getByText('CSV', { exact: true }).waitFor();
    // The upload's preview starts its ingestion; the page follows it to the end.
    await row.getByTestId('ingestion').filter({ hasText: 'Ingested: questions are fast' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('preview').filter({ hasText: 'First 20 of 5000 rows' }).waitFor();
    await page.getByTestId('usage').filter({ hasText: /The columnar cache that makes questions fast takes [\d.]+ (KB|MB)/ }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'files.png'), fullPage: true });

    // "Ask about this file" starts a chat with the file attached.
    await row.getByRole('link', { name: 'Ask about this file: sales.csv' }).click();
    await page.getByRole('button', { name: 'Remove sales.csv' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.goBack();

    await row.getByRole('button', { name: 'Delete sales.csv' }).click();
    await page.getByRole('button', { name: 'Delete sales.csv', exact: true }).click();
    await page.getByText('sales.csv was deleted.').waitFor();
    await page.getByText('No files yet.').waitFor();
    await context.close();
  });

  it('creates an API key that works, shows it once, and revokes it', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/settings/api-keys`);
    await signIn(page, admin);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('nightly script');
    await page.getByRole('button', { name: 'Create the key' }).click();
    const key = (await page.getByTestId('key-value').textContent())!;
    expect(key).toMatch(/^dfc_/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'api-keys.png'), fullPage: true });
    const withKey = () => fetch(`${url}/api/v1/conversations`, { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).status).toBe(200);

    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('key-value').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Revoke nightly script' }).click();
    await page.getByTestId('api-key').filter({ hasText: 'nightly script' }).getByText('Revoked').waitFor();
    expect((await withKey()).status).toBe(401);
    await context.close();
  });

  it('lets the admin disable and enable a member on the users page, which a member never sees', async () => {
    const json = (body: unknown, authorization?: string) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });
    const session = (await (await fetch(`${url}/api/v1/auth/login`, json(admin))).json()) as { accessToken: string };
    const { token } = (await (await fetch(`${url}/api/v1/admin/invitations`, json({ email: 'bo@example.com' }, `Bearer ${session.accessToken}`))).json()) as { token: string };
    const member = { email: 'bo@example.com', password: 'another passphrase entirely' };
    expect((await fetch(`${url}/api/v1/auth/register`, json({ ...member, name: 'Bo Member', invitation: token }))).status).toBe(201);
    const memberSignsIn = async () => (await fetch(`${url}/api/v1/auth/login`, json(member))).status;

    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/settings/users`);
    await signIn(page, admin);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Disable Bo Member' }).click();
    await page.getByTestId('user').filter({ hasText: 'Bo Member' }).getByText('Disabled').waitFor();
    expect(await memberSignsIn()).toBe(403);
    await page.getByRole('button', { name: 'Enable Bo Member' }).click();
    await page.getByRole('button', { name: 'Disable Bo Member' }).waitFor();
    expect(await memberSignsIn()).toBe(200);
    await context.close();

    // A member has no Users link, and the page sends them home.
    const memberPage = await browser.newPage();
    await memberPage.goto(`${url}/settings/users`);
    await signIn(memberPage, member);
    await memberPage.getByRole('heading', { name: 'Hello, Bo Member' }).waitFor();
    expect(await memberPage.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await memberPage.close();
  });

  it('signs a person in, says why when it cannot, and sends them back to the page they asked for', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/status`);
    await page.getByTestId('overall-status').filter({ hasText: 'Ready' }).waitFor({ timeout: 15_000 });
    // A signed-in page asks for a session first.
    await page.goto(`${url}/`);
    await page.waitForURL(/\/sign-in/);
    await signIn(page, { ...admin, password: 'not the password at all' });
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await signIn(page, admin);
    await page.getByRole('heading', { name: 'Hello, Ana Admin' }).waitFor();
    await page.close();
  });
});
