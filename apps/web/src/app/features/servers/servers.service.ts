import { HttpClient } from '@angular/common/http';
import { Service, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import type { ReloadReport, ServerDetail, ServerSummary, ToolInfo, ToolResult } from './servers.model';

/** The MCP servers and their tools, through `/api/v1/mcp` (and the config reload, through `/api/v1/admin/mcp`). */
@Service()
export class ServersService {
  private readonly http = inject(HttpClient);
  private readonly base = apiUrl(inject(API_BASE_URL), '/api/v1/mcp');
  private readonly admin = apiUrl(inject(API_BASE_URL), '/api/v1/admin/mcp');

  list(): Observable<ServerSummary[]> {
    return this.http.get<ServerSummary[]>(`${this.base}/servers`);
  }

  detail(name: string): Observable<ServerDetail> {
    return this.http.get<ServerDetail>(`${this.base}/servers/${encodeURIComponent(name)}`);
  }

  /** Restarts the server (for a per-user one, the caller's own instance), clearing its crash history. */
  restart(name: string): Observable<ServerSummary> {
    return this.http.post<ServerSummary>(`${this.base}/servers/${encodeURIComponent(name)}/restart`, null);
  }

  /** Switches a server on or off, until the broker restarts. */
  setEnabled(name: string, enabled: boolean): Observable<ServerSummary> {
    return this.http.post<ServerSummary>(`${this.base}/servers/${encodeURIComponent(name)}/${enabled ? 'enable' : 'disable'}`, null);
  }

  /** Re-reads the MCP config; servers whose entry did not change keep their connections. */
  reload(): Observable<ReloadReport> {
    return this.http.post<ReloadReport>(`${this.admin}/reload`, null);
  }

  /** Every tool the caller can call. It starts the caller's instance of each per-user server. */
  tools(): Observable<ToolInfo[]> {
    return this.http.get<ToolInfo[]>(`${this.base}/tools`);
  }

  call(qualifiedName: string, args: Record<string, unknown>): Observable<ToolResult> {
    return this.http.post<ToolResult>(`${this.base}/tools/${encodeURIComponent(qualifiedName)}/call`, { arguments: args });
  }
}
