import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { ModelsService } from '../../core/models.service';
import { PreferencesService } from '../../core/preferences.service';

/** The model new conversations start with, chosen per browser (`PreferencesService`) from `GET /api/v1/models`. */
@Component({
  selector: 'app-default-model-section',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './settings.css',
  template: `
    <section class="card" aria-labelledby="model-title">
      <h2 id="model-title">Default model</h2>
      @switch (models().state) {
        @case ('loading') {
          <p class="hint">Reading the configured models…</p>
        }
        @case ('failed') {
          <p class="form-error" role="alert">The models cannot be listed: {{ failure() }}</p>
        }
        @case ('loaded') {
          @if (!available().length) {
            <p data-testid="direct-mode">
              <strong>Direct mode is on:</strong> no model is configured on this instance, so there is no model to choose. Messages are read as
              commands that call your tools (<code>/help</code> lists them) until an admin configures a model.
            </p>
          } @else {
            <p class="hint">New conversations in this browser start with this model; a conversation can still change it. It is kept in this browser only.</p>
            <label for="default-model">Model for new conversations</label>
            <select id="default-model" (change)="choose($event)">
              <option value="" [selected]="!chosen()">The instance's default{{ instanceDefault() ? ': ' + instanceDefault()!.label : '' }}</option>
              @for (model of available(); track model.id) {
                <option [value]="model.id" [selected]="model.id === chosen()?.id">{{ model.label }} ({{ model.provider }})</option>
              }
            </select>
            @if (gone(); as id) {
              <p class="notice" data-testid="model-gone">The model chosen before, <code>{{ id }}</code>, is not configured any more: new conversations start with the instance's default.</p>
            }
          }
        }
      }
      <p class="saved" role="status">{{ saved() }}</p>
    </section>
  `,
})
export class DefaultModelSection {
  private readonly preferences = inject(PreferencesService);

  protected readonly models = inject(ModelsService).models();
  protected readonly saved = signal('');
  protected readonly available = computed(() => {
    const models = this.models();
    return models.state === 'loaded' ? models.models : [];
  });
  protected readonly failure = computed(() => {
    const models = this.models();
    return models.state === 'failed' ? models.error : '';
  });
  protected readonly instanceDefault = computed(() => this.available().find((model) => model.default) ?? this.available()[0]);
  /** The model this browser chose, while it is configured. */
  protected readonly chosen = computed(() => this.available().find((model) => model.id === this.preferences.defaultModel()));
  /** A choice that names a model no longer configured. */
  protected readonly gone = computed(() => {
    const id = this.preferences.defaultModel();
    return id && this.models().state === 'loaded' && !this.chosen() ? id : null;
  });

  protected choose(event: Event): void {
    const id = (event.target as HTMLSelectElement).value || null;
    this.preferences.setDefaultModel(id);
    const model = this.chosen();
    this.saved.set(model ? `New conversations will start with ${model.label}.` : "New conversations will start with the instance's default model.");
  }
}
