import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { firstValueFrom, interval } from 'rxjs';
import { formatDuration } from '../../core/format';
import { problemMessage } from '../../core/problem';
import {
  annotationWords,
  reloadSummary,
  type ReloadReport,
  scopeLabel,
  type ServerDetail,
  type ServerSummary,
  serversSummary,
  stateAge,
  stateLabel,
  type ToolInfo,
  toolOffered,
  transportLabel,
} from './servers.model';
import { ServersService } from './servers.service';
import { ToolPlayground } from './tool-playground';

/** How often the list is asked for again, so that a crash and its restart show without a reload. */
export const serversPollMs = 3_000;

/** The expanded server's detail: loading, loaded, or why it could not be. */
type Detail = { readonly state: 'loading' } | { readonly state: 'loaded'; readonly detail: ServerDetail } | { readonly state: 'failed'; readonly error: string };

/** The playground's tool list: not asked for yet (asking starts the caller's per-user servers), on its way, there, or refused. */
type ToolList = { readonly state: 'idle' | 'loading' | 'loaded' } | { readonly state: 'failed'; readonly error: string };

/**
 * Admins: the configured MCP servers, each with its state in words and how long it has been in
 * it, asked for again every few seconds; a server's tools and last stderr lines; restart,
 * enable and disable; a config reload; and a playground that calls any tool by hand.
 */
@Component({
  selector: 'app-servers-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, ToolPlayground],
  templateUrl: './servers.page.html',
  styleUrl: './servers.page.css',
})
export class ServersPage {
  private readonly api = inject(ServersService);
  private readonly playground = viewChild(ToolPlayground);
  /** Each list request's number; an answer older than the latest one applied is dropped. */
  private issued = 0;
  private applied = 0;
  private polling = false;

  protected readonly servers = signal<readonly ServerSummary[]>([]);
  protected readonly loaded = signal(false);
  protected readonly checkedAt = signal<Date | null>(null);
  protected readonly listError = signal('');
  protected readonly selected = signal<string | null>(null);
  protected readonly detail = signal<Detail | null>(null);
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly notice = signal('');
  protected readonly actionError = signal('');
  protected readonly reloading = signal(false);
  protected readonly reloadReport = signal<ReloadReport | null>(null);
  protected readonly reloadError = signal('');
  protected readonly tools = signal<readonly ToolInfo[]>([]);
  protected readonly toolList = signal<ToolList>({ state: 'idle' });
  protected readonly chosenTool = signal('');

  protected readonly pollSeconds = serversPollMs / 1000;
  protected readonly summary = computed(() => (this.loaded() ? serversSummary(this.servers()) : 'Loading the servers…'));
  protected readonly reloadErrors = computed(() => Object.entries(this.reloadReport()?.errors ?? {}));
  protected readonly loadedDetail = computed(() => {
    const detail = this.detail();
    return detail?.state === 'loaded' ? detail.detail : null;
  });
  protected readonly detailError = computed(() => {
    const detail = this.detail();
    return detail?.state === 'failed' ? detail.error : '';
  });
  protected readonly toolListError = computed(() => {
    const list = this.toolList();
    return list.state === 'failed' ? list.error : '';
  });

  protected readonly stateLabel = stateLabel;
  protected readonly stateAge = stateAge;
  protected readonly scopeLabel = scopeLabel;
  protected readonly transportLabel = transportLabel;
  protected readonly annotationWords = annotationWords;
  protected readonly toolOffered = toolOffered;
  protected readonly reloadSummary = reloadSummary;
  protected readonly duration = formatDuration;

  constructor() {
    void this.refresh();
    interval(serversPollMs)
      .pipe(takeUntilDestroyed())
      .subscribe(() => void this.poll());
  }

  /** Asks for the list; when the expanded server's state changed, asks for its detail again too (new stderr lines, say). */
  async refresh(): Promise<void> {
    const number = ++this.issued;
    try {
      const servers = await firstValueFrom(this.api.list());
      if (number < this.applied) return;
      this.applied = number;
      const selected = this.selected();
      const before = this.servers().find((server) => server.name === selected);
      const after = servers.find((server) => server.name === selected);
      this.servers.set(servers);
      this.listError.set('');
      this.checkedAt.set(new Date());
      if (selected && !after) this.selected.set(null);
      else if (selected && before && after && (before.state !== after.state || before.restarts !== after.restarts || before.stateSince !== after.stateSince)) void this.loadDetail(selected);
    } catch (error) {
      this.listError.set(`The servers cannot be listed: ${problemMessage(error)}`);
    } finally {
      this.loaded.set(true);
    }
  }

  /** A poll is skipped while the previous one is still waiting. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.refresh();
    } finally {
      this.polling = false;
    }
  }

  protected toggleDetail(name: string): void {
    if (this.selected() === name) {
      this.selected.set(null);
      this.detail.set(null);
      return;
    }
    this.selected.set(name);
    this.detail.set({ state: 'loading' });
    void this.loadDetail(name);
  }

  private async loadDetail(name: string): Promise<void> {
    try {
      const detail = await firstValueFrom(this.api.detail(name));
      if (this.selected() === name) this.detail.set({ state: 'loaded', detail });
    } catch (error) {
      if (this.selected() === name) this.detail.set({ state: 'failed', error: `The details of ${name} cannot be shown: ${problemMessage(error)}` });
    }
  }

  protected isBusy(name: string): boolean {
    return this.busy().has(name);
  }

  protected restart(server: ServerSummary): Promise<void> {
    return this.act(server, 'restarted', 'restart', () => firstValueFrom(this.api.restart(server.name)));
  }

  protected setEnabled(server: ServerSummary, enabled: boolean): Promise<void> {
    return this.act(server, enabled ? 'enabled' : 'disabled', enabled ? 'enable' : 'disable', () => firstValueFrom(this.api.setEnabled(server.name, enabled)));
  }

  private async act(server: ServerSummary, done: string, verb: string, action: () => Promise<ServerSummary>): Promise<void> {
    const name = server.name;
    this.busy.update((busy) => new Set(busy).add(name));
    this.notice.set('');
    this.actionError.set('');
    try {
      const summary = await action();
      // A list asked for before the action would show the server as it was: drop it.
      this.applied = ++this.issued;
      this.servers.update((servers) => servers.map((item) => (item.name === name ? summary : item)));
      this.notice.set(`${name} was ${done}. Now: ${stateLabel(summary)}.`);
      if (this.selected() === name) void this.loadDetail(name);
    } catch (error) {
      this.actionError.set(`Could not ${verb} ${name}: ${problemMessage(error)}`);
    } finally {
      this.busy.update((busy) => {
        const left = new Set(busy);
        left.delete(name);
        return left;
      });
    }
  }

  protected async reload(): Promise<void> {
    this.reloading.set(true);
    this.reloadReport.set(null);
    this.reloadError.set('');
    try {
      this.reloadReport.set(await firstValueFrom(this.api.reload()));
      void this.refresh();
    } catch (error) {
      this.reloadError.set(`The config was not reloaded: ${problemMessage(error)}`);
    } finally {
      this.reloading.set(false);
    }
  }

  protected async loadTools(): Promise<void> {
    this.toolList.set({ state: 'loading' });
    try {
      this.tools.set(await firstValueFrom(this.api.tools()));
      this.toolList.set({ state: 'loaded' });
    } catch (error) {
      this.toolList.set({ state: 'failed', error: `The tools cannot be listed: ${problemMessage(error)}` });
    }
  }

  protected lines(lines: readonly string[]): string {
    return lines.join('\n');
  }

  /** Opens a tool of the expanded server in the playground. */
  protected tryTool(tool: ToolInfo): void {
    if (!this.tools().some((item) => item.qualifiedName === tool.qualifiedName)) this.tools.update((tools) => [...tools, tool]);
    this.chosenTool.set(tool.qualifiedName);
    this.playground()?.focus();
  }
}
