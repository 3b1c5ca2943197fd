import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { type ConversationDto, findFreePort, type Page } from '@dataflow/shared';
import { AppProcess, waitForStatus } from '@dataflow/shared/testing';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('npm start: the whole platform on one machine, with no DATABASE_URL or REDIS_URL', () => {
  let dataDir: string;
  let url: string;
  let platform: AppProcess;
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;

  async function start(): Promise<AppProcess> {
    const started = new AppProcess('standalone', ['scripts/start.mjs'], env);
    await waitForStatus(`${url}/health/ready`, 200, 60_000, started);
    return started;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dataflow-standalone-'));
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    Object.assign(env, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    platform = await start();
  });

  afterAll(async () => {
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where it is running and what to do about accounts', () => {
    expect(platform.output()).toContain(`MCP DataFlow Chat is running at ${url}`);
    expect(platform.output()).toContain('accounts:');
    expect(platform.output()).toContain('embedded Postgres');
  });

  let signedIn: Record<string, string> = {};

  it('makes the first account admin, and keeps its conversations for it', async () => {
    const registered = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'a passphrase for this laptop', name: 'Owner' }),
    });
    expect(registered.status).toBe(201);
    const session = (await registered.json()) as { accessToken: string; user: { role: string } };
    expect(session.user.role).toBe('admin');
    signedIn = { authorization: `Bearer ${session.accessToken}` };
    expect((await fetch(`${url}/api/v1/conversations`)).status).toBe(401);
    const created = await fetch(`${url}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedIn },
      body: JSON.stringify({ title: 'Standalone' }),
    });
    expect(created.status).toBe(201);
    const list = ((await (await fetch(`${url}/api/v1/conversations`, { headers: signedIn })).json()) as Page<ConversationDto>).items;
    expect(list.map((c) => c.title)).toEqual(['Standalone']);
    expect((await fetch(`${url}/api/v1/mcp/servers`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/mcp/servers`, { headers: signedIn })).status).toBe(200);
  });

  it("shows the platform's health on the status page", async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      const response = await page.goto(`${url}/status`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(response?.headers()['x-content-type-options']).toBe('nosniff');
      await page.getByTestId('overall-status').filter({ hasText: 'Ready' }).waitFor({ timeout: 15_000 });
      // The page works under the policy: nothing it loads or runs was blocked.
      expect(violations).toEqual([]);
      const parts = await page.getByTestId('health-part').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('data-part'), node.textContent ?? '']));
      expect(parts.map(([name]) => name).sort()).toEqual(['conversations', 'mcp-broker']);
      expect(parts.every(([, text]) => text.includes('up'))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('stops cleanly on SIGTERM, takes its Postgres with it, and keeps the data for the next start', async () => {
    expect(await platform.stop('SIGTERM')).toBe(0);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    platform = await start();
    // The access token outlives the restart: the JWT secret is kept in the data folder.
    const list = ((await (await fetch(`${url}/api/v1/conversations`, { headers: signedIn })).json()) as Page<ConversationDto>).items;
    expect(list.map((c) => c.title)).toEqual(['Standalone']);
  });
});
