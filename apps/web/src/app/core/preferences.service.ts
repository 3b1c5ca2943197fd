import { DOCUMENT } from '@angular/common';
import { DestroyRef, Service, effect, inject, signal } from '@angular/core';

/** Where this browser keeps the chat model chosen on the settings page (a model id; absent for the instance's default). */
export const defaultModelKey = 'dfc.defaultModel';
/** Where this browser keeps the theme chosen on the settings page (absent: the OS setting's). */
export const themeKey = 'dfc.theme';

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];
const themeOf = (value: string | null): Theme => (themes as readonly (string | null)[]).includes(value) ? (value as Theme) : 'system';

/**
 * What this person chose in this browser, kept in `localStorage`: the model new conversations
 * start with, and the theme (set as `data-theme` on `<html>`, which the styles read). Other tabs
 * of the browser follow a change (the `storage` event). Where storage is refused (a private
 * window, a full quota), the choice lasts until the page is left.
 */
@Service()
export class PreferencesService {
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly model = signal<string | null>(this.read(defaultModelKey));
  private readonly chosenTheme = signal<Theme>(themeOf(this.read(themeKey)));

  /** The chosen model's id; null for the instance's default model. */
  readonly defaultModel = this.model.asReadonly();
  readonly theme = this.chosenTheme.asReadonly();

  constructor() {
    const root = inject(DOCUMENT).documentElement;
    effect(() => {
      const theme = this.chosenTheme();
      if (theme === 'system') delete root.dataset['theme'];
      else root.dataset['theme'] = theme;
    });
    const follow = (event: StorageEvent) => {
      if (event.key === defaultModelKey || event.key === null) this.model.set(this.read(defaultModelKey));
      if (event.key === themeKey || event.key === null) this.chosenTheme.set(themeOf(this.read(themeKey)));
    };
    this.window?.addEventListener('storage', follow);
    inject(DestroyRef).onDestroy(() => this.window?.removeEventListener('storage', follow));
  }

  /** Remembers a model for new conversations; null goes back to the instance's default. */
  setDefaultModel(id: string | null): void {
    const value = id?.trim() || null;
    this.model.set(value);
    this.write(defaultModelKey, value);
  }

  /** Light, dark, or the OS setting's. */
  setTheme(theme: Theme): void {
    this.chosenTheme.set(theme);
    this.write(themeKey, theme === 'system' ? null : theme);
  }

  private write(key: string, value: string | null): void {
    try {
      if (value === null) this.window?.localStorage.removeItem(key);
      else this.window?.localStorage.setItem(key, value);
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
