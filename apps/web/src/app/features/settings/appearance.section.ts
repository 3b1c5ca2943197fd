import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { PreferencesService, type Theme } from '../../core/preferences.service';

/** Light, dark, or as the system is: kept in this browser (`PreferencesService`). */
@Component({
  selector: 'app-appearance-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './settings.css',
  template: `
    <section class="card" aria-labelledby="appearance-title">
      <h2 id="appearance-title">Appearance</h2>
      <fieldset>
        <legend>Theme</legend>
        @for (option of options; track option.value) {
          <label class="check">
            <input type="radio" name="theme" [value]="option.value" [checked]="preferences.theme() === option.value" (change)="preferences.setTheme(option.value)" />
            {{ option.label }}
          </label>
        }
      </fieldset>
      <p class="hint">Kept in this browser only.</p>
    </section>
  `,
})
export class AppearanceSection {
  protected readonly preferences = inject(PreferencesService);
  protected readonly options: readonly { value: Theme; label: string }[] = [
    { value: 'system', label: 'As the system is (light or dark)' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];
}
