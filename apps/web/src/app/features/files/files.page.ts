import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { firstValueFrom, interval } from 'rxjs';
import { formatSize } from '../../core/format';
import { problemMessage } from '../../core/problem';
import { type Ingestion, ingestedKinds, ingestionLabel, ingestionRunning, ingestionStartable, type Sending, type Upload, type UploadDetail, type Usage } from './files.model';
import { FilesService } from './files.service';
import { UploadQueue } from './upload-queue';

/** How often a running ingestion is asked about. */
const ingestionPollMs = 1_000;

/** What a file's preview row holds: its detail, or why there is none. */
type Preview = { readonly state: 'loading' } | { readonly state: 'loaded'; readonly detail: UploadDetail } | { readonly state: 'failed'; readonly error: string };

/**
 * The caller's files: upload (drop or choose, with a progress bar and a cancel per file), the
 * history with size, type and date, a preview of the first rows, delete, and where each file
 * stands with the columnar cache (with its progress, a cancel, and a start again).
 */
@Component({
  selector: 'app-files-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, RouterLink],
  templateUrl: './files.page.html',
  styleUrl: './files.page.css',
})
export class FilesPage {
  private readonly api = inject(FilesService);
  private readonly queue = new UploadQueue(this.api, (upload) => {
    this.files.update((list) => [upload, ...list]);
    void this.refreshUsage();
    if (ingestedKinds.includes(upload.kind)) void this.showPreview(upload.id, true);
  });

  protected readonly files = signal<readonly Upload[]>([]);
  protected readonly loaded = signal(false);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loadError = signal('');
  protected readonly usage = signal<Usage | null>(null);
  protected readonly sending = this.queue.sending;
  protected readonly ingestions = signal<Readonly<Record<string, Ingestion | null>>>({});
  protected readonly previews = signal<Readonly<Record<string, Preview>>>({});
  protected readonly confirming = signal<string | null>(null);
  protected readonly dragOver = signal(false);
  protected readonly notice = signal('');

  protected readonly size = formatSize;
  protected readonly ingestionLabel = ingestionLabel;
  protected readonly usageText = computed(() => {
    const usage = this.usage();
    if (!usage) return '';
    const cache = usage.cache ? ` The columnar cache that makes questions fast takes ${formatSize(usage.cache.bytes)} more (at most ${formatSize(usage.cache.limitBytes)}).` : '';
    return `Your files take ${formatSize(usage.usedBytes)} of your ${formatSize(usage.quotaBytes)}.${cache}`;
  });

  constructor() {
    void this.load();
    interval(ingestionPollMs)
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => void this.pollIngestions());
    inject(DestroyRef).onDestroy(() => this.queue.destroy());
  }

  async load(more = false): Promise<void> {
    try {
      const page = await firstValueFrom(this.api.list(more ? (this.nextCursor() ?? undefined) : undefined));
      this.files.update((files) => (more ? [...files, ...page.items] : page.items));
      this.nextCursor.set(page.nextCursor);
      this.loadError.set('');
      for (const file of page.items) if (ingestedKinds.includes(file.kind)) void this.refreshIngestion(file.id);
    } catch (error) {
      this.loadError.set(`Your files cannot be listed: ${problemMessage(error)}`);
    } finally {
      this.loaded.set(true);
    }
    void this.refreshUsage();
  }

  protected chosen(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.send([...(input.files ?? [])]);
    input.value = '';
  }

  protected dropped(event: DragEvent): void {
    event.preventDefault();
    this.dragOver.set(false);
    this.send([...(event.dataTransfer?.files ?? [])]);
  }

  protected dragging(event: DragEvent, over: boolean): void {
    event.preventDefault();
    this.dragOver.set(over);
  }

  /** Sends each file, with its own progress and cancel; a sent file joins the list, and its preview starts its ingestion. */
  send(files: File[]): void {
    this.queue.send(files);
  }

  protected cancelUpload(key: number): void {
    this.queue.cancel(key);
  }

  protected dismiss(key: number): void {
    this.queue.dismiss(key);
  }

  protected sendingPercent(item: Sending): number {
    return Math.round(item.progress * 100);
  }

  /** Shows (or hides) the first rows; `keep` shows them whatever they were. */
  async showPreview(id: string, keep = false): Promise<void> {
    if (!keep && this.previews()[id]) {
      this.previews.update(({ [id]: _, ...rest }) => rest);
      return;
    }
    this.previews.update((previews) => ({ ...previews, [id]: { state: 'loading' } }));
    try {
      const detail = await firstValueFrom(this.api.detail(id));
      this.previews.update((previews) => ({ ...previews, [id]: { state: 'loaded', detail } }));
      this.ingestions.update((ingestions) => ({ ...ingestions, [id]: detail.ingestion }));
    } catch (error) {
      this.previews.update((previews) => ({ ...previews, [id]: { state: 'failed', error: problemMessage(error) } }));
    }
  }

  protected async delete(file: Upload): Promise<void> {
    this.confirming.set(null);
    try {
      await firstValueFrom(this.api.delete(file.id));
      this.files.update((list) => list.filter((item) => item.id !== file.id));
      this.notice.set(`${file.name} was deleted.`);
      void this.refreshUsage();
    } catch (error) {
      this.notice.set(`${file.name} was not deleted: ${problemMessage(error)}`);
    }
  }

  protected async cancelIngestion(id: string): Promise<void> {
    await this.changeIngestion(id, () => firstValueFrom(this.api.cancelIngestion(id)));
  }

  protected async startIngestion(id: string): Promise<void> {
    await this.changeIngestion(id, () => firstValueFrom(this.api.startIngestion(id)));
  }

  protected running(id: string): boolean {
    return ingestionRunning(this.ingestions()[id]);
  }

  protected startable(id: string): boolean {
    return ingestionStartable(this.ingestions()[id]);
  }

  private async changeIngestion(id: string, change: () => Promise<Ingestion>): Promise<void> {
    try {
      const ingestion = await change();
      this.ingestions.update((ingestions) => ({ ...ingestions, [id]: ingestion }));
    } catch (error) {
      this.notice.set(problemMessage(error));
    }
  }

  private async refreshIngestion(id: string): Promise<void> {
    const ingestion = await firstValueFrom(this.api.ingestion(id)).catch(() => null);
    this.ingestions.update((ingestions) => ({ ...ingestions, [id]: ingestion }));
    if (ingestion?.state === 'ingested') void this.refreshUsage();
  }

  private async pollIngestions(): Promise<void> {
    const running = Object.entries(this.ingestions()).filter(([, ingestion]) => ingestionRunning(ingestion));
    await Promise.all(running.map(([id]) => this.refreshIngestion(id)));
  }

  private async refreshUsage(): Promise<void> {
    this.usage.set(await firstValueFrom(this.api.usage()).catch(() => null));
  }
}
