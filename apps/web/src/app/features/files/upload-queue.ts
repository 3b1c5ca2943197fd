import { HttpEventType } from '@angular/common/http';
import { signal } from '@angular/core';
import type { Subscription } from 'rxjs';
import { problemMessage } from '../../core/problem';
import type { Sending, Upload } from './files.model';
import type { FilesService } from './files.service';

/**
 * Files on their way up: each with its own progress and a cancel, and the upload it became.
 * The files page and the chat's composer each keep one; `destroy()` cancels what is still going.
 */
export class UploadQueue {
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly items = signal<readonly (Sending & { readonly upload?: Upload })[]>([]);
  private nextKey = 1;

  readonly sending = this.items.asReadonly();

  constructor(
    private readonly api: FilesService,
    private readonly uploaded: (upload: Upload) => void = () => undefined,
  ) {}

  send(files: readonly File[]): void {
    for (const file of files) {
      const key = this.nextKey++;
      this.items.update((list) => [...list, { key, name: file.name, size: file.size, progress: 0, state: 'sending' }]);
      const subscription = this.api.upload(file).subscribe({
        next: (event) => {
          if (event.type === HttpEventType.UploadProgress) this.patch(key, { progress: event.total ? event.loaded / event.total : 0 });
          if (event.type === HttpEventType.Response && event.body) {
            this.patch(key, { progress: 1, state: 'done', upload: event.body });
            this.uploaded(event.body);
          }
        },
        error: (error: unknown) => this.patch(key, { state: 'failed', error: problemMessage(error) }),
      });
      this.subscriptions.set(key, subscription);
      subscription.add(() => this.subscriptions.delete(key));
    }
  }

  /** Adds an upload that is already there (say, "Ask about this file"). */
  add(upload: Upload): void {
    this.items.update((list) => [...list, { key: this.nextKey++, name: upload.name, size: upload.size, progress: 1, state: 'done', upload }]);
  }

  cancel(key: number): void {
    this.subscriptions.get(key)?.unsubscribe();
    this.patch(key, { state: 'cancelled' });
  }

  dismiss(key: number): void {
    this.cancel(key);
    this.items.update((list) => list.filter((item) => item.key !== key));
  }

  clear(): void {
    for (const item of this.items()) this.dismiss(item.key);
  }

  destroy(): void {
    this.subscriptions.forEach((subscription) => subscription.unsubscribe());
  }

  private patch(key: number, patch: Partial<Sending & { upload: Upload }>): void {
    this.items.update((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }
}
