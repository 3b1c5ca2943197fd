import { setTimeout as sleep } from 'node:timers/promises';
import type { McpServerSummary } from '@dataflow/shared';
import type { AppProcess } from '@dataflow/shared/testing';

/** Waits until the gateway at `url` answers and the broker reports each named MCP server ready, asking as the signed-in caller in `headers`. */
export async function waitForMcpServers(url: string, names: string[], headers: Record<string, string>, process?: AppProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (process && !process.running) throw new Error(`${process.name} exited while waiting for its MCP servers:\n${process.output()}`);
    try {
      const response = await fetch(`${url}/api/v1/mcp/servers`, { headers, signal: AbortSignal.timeout(5_000) });
      const servers = response.ok ? ((await response.json()) as McpServerSummary[]) : [];
      last = response.ok ? JSON.stringify(servers.map((s) => [s.name, s.state, s.lastError])) : `${response.status}`;
      if (names.every((name) => servers.some((s) => s.name === name && s.state === 'ready'))) return;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  throw new Error(`The MCP servers ${names.join(', ')} were not ready within ${timeoutMs} ms (last: ${last})${process ? `\n${process.output()}` : ''}`);
}
