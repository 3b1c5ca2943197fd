import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, waitForStatus } from '@dataflow/shared/testing';

/** What the web app's browser tests share. */

/** Screenshots of the main screens, for people to look at (git-ignored). */
export const screenshots = 'test-results/screenshots';

/** The platform `npm start` runs, on a free port with an empty data folder, and a headless Debian Chromium to drive it. */
export interface WebPlatform {
  readonly url: string;
  readonly dataDir: string;
  readonly browser: Browser;
  stop(): Promise<void>;
}

/**
 * Starts `npm start`'s platform for a browser test: no model and the default registration unless
 * `env` says otherwise (the machine's own settings are left out), sign-in rate limits high enough
 * for many sign-ins within a minute (they are tested elsewhere).
 */
export async function startWebPlatform(name: string, env: Record<string, string> = {}): Promise<WebPlatform> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  const dataDir = await mkdtemp(join(tmpdir(), `dataflow-${name}-`));
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const platformEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'OPENAI_MODEL', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_MODEL', 'MODELS_FILE', 'REGISTRATION']) delete platformEnv[variable];
  Object.assign(platformEnv, { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT_PER_MINUTE: '1000', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000' }, env);
  const platform = new AppProcess('standalone', ['scripts/start.mjs'], platformEnv);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForStatus(`${url}/health/ready`, 200, 60_000, platform);
    await mkdir(screenshots, { recursive: true });
    // Tests open their contexts with bypassCSP, which lets them inject axe-core; the app itself runs under the gateway's policy (see the standalone test).
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dataDir, browser, stop };
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What axe-core finds on the page that is serious or critical: rule and the elements, for a readable failure. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const { violations } = await (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return violations;
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** Fills the sign-in form and sends it. */
export async function signIn(page: Page, { email, password }: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

