import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository: the nearest folder above this file with a package.json (from the sources, or from dist/ when built into a bench). */
export const repoRoot = (() => {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
})();

/** A platform process a test started, with everything it printed. */
export class AppProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(readonly name: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines (JSON) that match every given field. */
  logs(match: Record<string, unknown>): Record<string, unknown>[] {
    return this.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => Object.entries(match).every(([key, value]) => entry[key] === value));
  }

  output(): string {
    return this.lines.join('\n');
  }

  /** Stops the process with a signal and waits for it; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill(signal);
    // Unref'd: the child keeps the process alive until it exits, and the grace timer must not outlive it.
    const outcome = await Promise.race([this.exited, sleep(graceMs, undefined, { ref: false }).then(() => 'timeout' as const)]);
    if (outcome !== 'timeout') return outcome;
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** One of the built apps (`npm run build` first), as its own process. */
export function startApp(app: 'gateway' | 'conversations' | 'mcp-broker', env: NodeJS.ProcessEnv): AppProcess {
  return new AppProcess(app, [`dist/apps/${app}/src/main.js`], { ...process.env, ...env });
}

/** Polls a URL until it answers with the status wanted. */
export async function waitForStatus(url: string, status = 200, timeoutMs = 30_000, process?: AppProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (process && !process.running) throw new Error(`${process.name} exited while waiting for ${url}:\n${process.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === status) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})${process ? `\n${process.output()}` : ''}`);
}
