/**
 * The web app's weight and first paint. The initial JavaScript of the production build, gzipped
 * (what `index.html` loads before any lazy route), against the target. Then the first
 * contentful paint in headless Chromium of the chat screen for a signed-in person (a conversation
 * with a question and its answer, opened by its address), served by the platform that `npm start` runs, next to a one-line HTML page from a bare Node server in the
 * same run: that page's paint is the floor the browser and the machine set.
 *
 *   npm run bench:web
 *
 * Environment: BENCH_RUNS (page loads per figure, default 7), CHROMIUM_PATH (/usr/bin/chromium).
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { findFreePort } from '@dataflow/shared';
import { AppProcess, waitForStatus } from '@dataflow/shared/testing';
import { summarize } from '../lib/measure.js';
import { printMarkdownTable } from '../lib/report.js';
import { runBench } from '../lib/run.js';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The repository, from dist/bench/web. */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const browserRoot = join(root, 'dist/web/browser');
const initialJsTargetKb = 350;

/** The scripts `index.html` loads at once (module scripts and module preloads), with their sizes. */
function initialScripts(): { file: string; bytes: number; gzipBytes: number }[] {
  const html = readFileSync(join(browserRoot, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((match) => match[1]!);
  return [...new Set(files)].map((file) => {
    const content = readFileSync(join(browserRoot, file));
    return { file, bytes: statSync(join(browserRoot, file)).size, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
}

/** First contentful paint of `url` in a fresh context, in ms; `cookie` signs the page in; `ready`, a selector of what shows the page is usable. */
async function firstPaint(browser: Browser, url: string, cookies: { name: string; value: string; url: string }[] = [], ready?: string): Promise<{ fcp: number; ready: number }> {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(url);
  if (ready) await page.locator(ready).first().waitFor();
  const readyMs = Date.now() - started;
  const fcp = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const check = () => {
          const found = performance.getEntriesByName('first-contentful-paint')[0];
          if (found) resolve(found.startTime);
          else setTimeout(check, 20);
        };
        check();
      }),
  );
  await context.close();
  return { fcp, ready: readyMs };
}

async function main(): Promise<void> {
  const scripts = initialScripts();
  const gzipKb = scripts.reduce((sum, script) => sum + script.gzipBytes, 0) / 1024;
  const rawKb = scripts.reduce((sum, script) => sum + script.bytes, 0) / 1024;
  console.log(`initial JS: ${scripts.length} file(s), ${rawKb.toFixed(1)} kB raw, ${gzipKb.toFixed(1)} kB gzip (level 9)`);

  const floorPage = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body><h1>Hello</h1></body></html>';
  const floor = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(floorPage));
  const floorPort = await findFreePort();
  await new Promise<void>((resolve) => floor.listen(floorPort, '127.0.0.1', resolve));

  const dataDir = await mkdtemp(join(tmpdir(), 'bench-web-'));
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT_PER_MINUTE: '1000', AUTH_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000' };
  for (const name of ['DATABASE_URL', 'REDIS_URL']) delete env[name];
  const platform = new AppProcess('standalone', [join(root, 'scripts/start.mjs')], env);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    await waitForStatus(`${url}/health/ready`, 200, 120_000, platform);
    const account = { email: 'bench@example.com', password: 'a passphrase to time pages with' };
    const registered = await fetch(`${url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...account, name: 'Bench' }) });
    if (registered.status !== 201) throw new Error(`could not register: ${registered.status} ${await registered.text()}`);
    /** A fresh sign-in's refresh cookie: each page load uses its own (the gateway takes a refresh token once). */
    const signedIn = async () => {
      const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
      const value = /dfc_refresh=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
      if (!value) throw new Error(`could not sign in: ${response.status}`);
      return [{ name: 'dfc_refresh', value, url: `${url}/api/v1/auth` }];
    };

    // A conversation with an answer (direct mode, no model: `/help` answers at once).
    const token = ((await registered.json()) as { accessToken: string }).accessToken;
    const api = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const conversation = ((await (await api('/api/v1/conversations', { title: 'Bench conversation' })).json()) as { id: string }).id;
    await api(`/api/v1/conversations/${conversation}/messages`, { content: '/help' });
    const chat = `${url}/c/${conversation}`;
    const answered = 'app-answer-view .markdown';

    // One load of each first, so that both servers and the browser's own start are warm.
    await firstPaint(browser, `http://127.0.0.1:${floorPort}/`);
    await firstPaint(browser, chat, await signedIn(), answered);
    const floorRuns: number[] = [];
    const appRuns: { fcp: number; ready: number }[] = [];
    for (let run = 0; run < runs; run++) {
      floorRuns.push((await firstPaint(browser, `http://127.0.0.1:${floorPort}/`)).fcp);
      appRuns.push(await firstPaint(browser, chat, await signedIn(), answered));
    }
    const ms = (value: number) => value.toFixed(0);
    const floorStats = summarize(floorRuns, 0);
    const fcpStats = summarize(appRuns.map((run) => run.fcp), 0);
    const readyStats = summarize(appRuns.map((run) => run.ready), 0);
    console.log(`\n${runs} loads each, headless Chromium, the app served by npm start:\n`);
    printMarkdownTable(['page', 'FCP p50 ms', 'FCP max ms', 'conversation shown p50 ms'], [
      ['one-line HTML from a bare Node server (floor)', ms(floorStats.p50), ms(Math.max(...floorRuns)), ''],
      ['the chat screen, a conversation opened by its address, signed in (refresh cookie)', ms(fcpStats.p50), ms(Math.max(...appRuns.map((run) => run.fcp))), ms(readyStats.p50)],
    ]);
  } finally {
    await browser.close();
    await platform.stop();
    floor.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log('\nTarget (from the issue):');
  console.log(`  initial JS ≤ ${initialJsTargetKb} kB gzip: ${gzipKb.toFixed(1)} kB  ${gzipKb <= initialJsTargetKb ? 'PASS' : 'MISS'}`);
}

runBench(main);
