import type { McpReloadReport, McpServerDetail, McpServerState, McpServerSummary, McpToolInfo, McpToolResult } from '@dataflow/shared/browser';
import { formatDuration } from '../../core/format';

/** The MCP API's shapes (`/api/v1/mcp`, `/api/v1/admin/mcp`), declared once in the shared contracts, and how the page says them. */
export type ServerState = McpServerState;
export type ServerSummary = McpServerSummary;
export type ServerDetail = McpServerDetail;
export type ToolInfo = McpToolInfo;
export type ReloadReport = McpReloadReport;
export type ToolResult = McpToolResult;

/** Where a server is, in words: what the state means for the people who use it. */
export function stateLabel(server: Pick<ServerSummary, 'state' | 'lastError'>): string {
  switch (server.state) {
    case 'idle':
      return 'Idle — runs one instance per user; yours starts when it is first used';
    case 'starting':
      return 'Starting — launching it and reading its tools';
    case 'ready':
      return 'Ready — answering calls';
    case 'degraded':
      return 'Degraded — still answering, but it missed a ping or its tool list could not be refreshed';
    case 'restarting':
      return server.lastError ? 'Restarting after a crash — calls are refused until it is back' : 'Restarting — calls are refused until it is back';
    case 'failed':
      return 'Failed — gave up after repeated crashes, or it cannot start as configured; Restart tries again';
    case 'disabled':
      return 'Disabled — switched off; calls are refused';
  }
}

/** Short names of the states, for the summary line. */
const stateNames: Readonly<Record<ServerState, string>> = {
  idle: 'idle',
  starting: 'starting',
  ready: 'ready',
  degraded: 'degraded',
  restarting: 'restarting',
  failed: 'failed',
  disabled: 'disabled',
};

/** One line over the list: how many servers, and how many in each state ("3 servers: 2 ready, 1 failed."). */
export function serversSummary(servers: readonly Pick<ServerSummary, 'state'>[]): string {
  if (!servers.length) return 'No MCP servers are configured.';
  const counts = new Map<ServerState, number>();
  for (const { state } of servers) counts.set(state, (counts.get(state) ?? 0) + 1);
  const parts = (Object.keys(stateNames) as ServerState[]).filter((state) => counts.has(state)).map((state) => `${counts.get(state)} ${stateNames[state]}`);
  return `${servers.length} ${servers.length === 1 ? 'server' : 'servers'}: ${parts.join(', ')}.`;
}

/**
 * How long a state has lasted, when the broker knows: it does not keep the time for an idle or
 * a disabled server (it answers 0 ms for them), so none is said.
 */
export function stateAge(server: Pick<ServerSummary, 'state' | 'stateAgeMs'>): string {
  if (server.state === 'idle' || server.state === 'disabled') return '';
  return `for ${formatDuration(server.stateAgeMs)}`;
}

export function scopeLabel(server: Pick<ServerSummary, 'scope' | 'instances'>): string {
  if (server.scope === 'shared') return 'shared: one instance for everyone';
  const running = server.instances ?? 0;
  return `per user: one instance each (${running} running now)`;
}

export function transportLabel(transport: ServerSummary['transport']): string {
  switch (transport) {
    case 'stdio':
      return 'stdio (a local process)';
    case 'streamable-http':
      return 'Streamable HTTP (remote)';
    case 'sse':
      return 'SSE (remote, legacy)';
  }
}

/**
 * What a tool's annotations say, in words. They are the server's hints, not guarantees; a tool
 * that is not marked read-only asks for the user's approval before it runs in a chat.
 */
export function annotationWords(annotations: Readonly<Record<string, unknown>> | undefined): string[] {
  const hints = annotations ?? {};
  const words: string[] = [];
  if (hints['readOnlyHint'] === true) words.push('read-only');
  else {
    words.push('may change things: asks for approval in a chat');
    if (hints['destructiveHint'] === true) words.push('may delete or overwrite data');
    if (hints['destructiveHint'] === false) words.push('only adds, never deletes');
  }
  if (hints['idempotentHint'] === true) words.push('the same arguments give the same outcome');
  if (hints['openWorldHint'] === true) words.push('reaches outside systems');
  if (hints['openWorldHint'] === false) words.push('works on its own data only');
  return words;
}

/** Whether the server's configuration offers the tool for calls (its allowlist and denylist), as the broker decides. */
export function toolOffered(definition: ServerDetail['definition'], tool: string): boolean {
  if (definition.toolAllowlist && !definition.toolAllowlist.includes(tool)) return false;
  return !definition.toolDenylist?.includes(tool);
}

/** A reload's outcome in words ("Config reloaded: 1 added (github), 2 unchanged."); the errors are listed apart. */
export function reloadSummary(report: ReloadReport): string {
  const named = (count: readonly string[], what: string) => (count.length ? `${count.length} ${what} (${count.join(', ')})` : '');
  const parts = [named(report.added, 'added'), named(report.changed, 'changed'), named(report.removed, 'removed'), report.unchanged.length ? `${report.unchanged.length} unchanged` : ''].filter(Boolean);
  const errors = Object.keys(report.errors).length;
  const tail = errors ? ` ${errors} ${errors === 1 ? 'server cannot' : 'servers cannot'} start:` : '';
  return `Config reloaded: ${parts.length ? parts.join(', ') : 'no servers'}.${tail}`;
}
