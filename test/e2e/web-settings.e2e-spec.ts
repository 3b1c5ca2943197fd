import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems, screenshots, signIn, startWebPlatform, type WebPlatform } from './web-browser.js';

const admin = { email: 'ana@example.com', password: 'a passphrase for the whole team', name: 'Ana Admin' };
const newPassword = 'another passphrase for the whole team';

describe('the settings page in Chromium, against npm start (no model: direct mode; REGISTRATION=invite)', () => {
  let web: WebPlatform;
  let url: string;
  let browser: Browser;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  /** A sign-in from another device → its refresh cookie. */
  const otherDevice = async () => {
    const login = await post('/api/v1/auth/login', { email: admin.email, password: admin.password });
    expect(login.status).toBe(200);
    return login.headers.getSetCookie().find((cookie) => cookie.startsWith('dfc_refresh='))!.split(';')[0]!;
  };
  /** No page wider than the screen: nothing to scroll sideways. */
  const fitsWidth = (page: Page) =>
    page.evaluate(() => {
      const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return view.document.documentElement.scrollWidth <= view.innerWidth;
    });

  beforeAll(async () => {
    web = await startWebPlatform('web-settings');
    ({ url, browser } = web);
    expect((await post('/api/v1/auth/register', admin)).status).toBe(201);
  });

  afterAll(() => web?.stop());

  it('renames, changes the password (signing out the other sessions), says direct mode, and makes and revokes invitations', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}/settings`);
    await page.waitForURL(/\/sign-in/);
    await signIn(page, admin);
    await page.waitForURL(`${url}/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByTestId('registration-policy').filter({ hasText: 'By invitation' }).waitFor();
    expect(await page.getByTestId('direct-mode').textContent()).toContain('Direct mode is on');
    expect(await page.getByTestId('no-grants').textContent()).toContain('Always allow');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'settings.png'), fullPage: true });

    // Profile: the header shows the new name at once.
    await page.getByLabel('Name', { exact: true }).fill('  Ana Q. Admin ');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await page.getByRole('status').filter({ hasText: 'Your name is saved.' }).waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Ana Q. Admin');

    // Password: a wrong current one is said beside its field; then the change signs out the other device.
    const laptop = await otherDevice();
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('New password, again').fill(newPassword);
    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.locator('#password-current-error').filter({ hasText: 'The current password is not right' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Current password').fill(admin.password);
    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    expect((await post('/api/v1/auth/refresh', undefined, { cookie: laptop })).status).toBe(401);
    expect((await post('/api/v1/auth/login', { email: admin.email, password: admin.password })).status).toBe(401);
    // This browser's session carries on in its new refresh cookie, after a reload too.
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(page.url()).toBe(`${url}/settings`);

    // An invitation, shown once as a link, works for its email; another is revoked.
    await page.locator('#invitation-email').fill('bo@example.com');
    await page.getByRole('button', { name: 'Make an invitation' }).click();
    const token = (await page.getByTestId('invitation-token').textContent())!.trim();
    expect(await page.getByTestId('invitation-link').textContent()).toBe(`${url}/register?invitation=${token}`);
    expect((await post('/api/v1/auth/register', { email: 'bo@example.com', password: 'a passphrase of his own', name: 'Bo', invitation: token })).status).toBe(201);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Make an invitation' }).click();
    await page.getByTestId('invitation-token').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('invitation').filter({ hasText: 'Anyone' }).getByRole('button', { name: /Revoke/ }).click();
    await page.getByTestId('invitation').filter({ hasText: 'Anyone' }).waitFor({ state: 'detached' });
    expect(await page.getByTestId('invitation').count()).toBe(1);

    // On a phone: nothing wider than the screen, and still accessible.
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await fitsWidth(page)).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'settings-phone.png'), fullPage: true });

    // The dark theme, chosen here, holds after a reload and passes the same checks (contrast included).
    await page.getByLabel('Dark', { exact: true }).check();
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } }).document.documentElement.dataset['theme'])).toBe('dark');
    expect(await page.locator('body').evaluate((body) => (globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }).getComputedStyle(body).backgroundColor)).toBe('rgb(15, 18, 23)');
    expect(await page.getByLabel('Dark', { exact: true }).isChecked()).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'settings-dark.png'), fullPage: true });
    await context.close();
  });
});
