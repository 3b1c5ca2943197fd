import { DOCUMENT } from '@angular/common';
import { DestroyRef, Service, inject, signal } from '@angular/core';

/** Where this browser keeps the chat model chosen on the settings page (a model id; absent for the instance's default). */
export const defaultModelKey = 'dfc.defaultModel';

/**
 * What this person chose in this browser, kept in `localStorage`: the model new conversations
 * start with. Other tabs of the browser follow a change (the `storage` event). Where storage is
 * refused (a private window, a full quota), the choice lasts until the page is left.
 */
@Service()
export class PreferencesService {
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly model = signal<string | null>(this.read(defaultModelKey));

  /** The chosen model's id; null for the instance's default model. */
  readonly defaultModel = this.model.asReadonly();

  constructor() {
    const follow = (event: StorageEvent) => {
      if (event.key === defaultModelKey || event.key === null) this.model.set(this.read(defaultModelKey));
    };
    this.window?.addEventListener('storage', follow);
    inject(DestroyRef).onDestroy(() => this.window?.removeEventListener('storage', follow));
  }

  /** Remembers a model for new conversations; null goes back to the instance's default. */
  setDefaultModel(id: string | null): void {
    const value = id?.trim() || null;
    this.model.set(value);
    try {
      if (value === null) this.window?.localStorage.removeItem(defaultModelKey);
      else this.window?.localStorage.setItem(defaultModelKey, value);
    } catch {
      // Storage refused: the choice holds for this page only.
    }
  }

  private read(key: string): string | null {
    try {
      return this.window?.localStorage.getItem(key) || null;
    } catch {
      return null;
    }
  }
}
