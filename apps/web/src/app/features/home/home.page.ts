import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SessionService } from '../../core/auth/session.service';
import { ModelsService } from '../../core/models.service';

/** Where a signed-in person starts: who they are, whether a model answers, and what direct mode means when none does. */
@Component({
  selector: 'app-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <section class="card" aria-labelledby="home-title">
      <h1 id="home-title">{{ welcome() ? 'Your instance is ready' : 'Hello, ' + (user()?.name ?? '') }}</h1>
      @if (welcome()) {
        <p>You are the admin of this instance, {{ user()?.name }}. People you invite, or who register, join as members.</p>
      }
      <h2>Model</h2>
      @switch (models().state) {
        @case ('loaded') {
          @if (defaultModel(); as model) {
            <p data-testid="model-status">Questions are answered by <strong>{{ model.label }}</strong> ({{ model.provider }}){{ modelCount() > 1 ? ', or one of ' + (modelCount() - 1) + ' other models' : '' }}.</p>
          } @else {
            <div data-testid="model-status" class="notice">
              <p><strong>No model is configured: direct mode.</strong></p>
              <p>
                Chats still work: messages are read as commands that call your tools directly, such as
                <code>/describe sales.csv</code>, <code>/sql SELECT …</code> or <code>/chart bar region sum(amount) from sales.csv</code>;
                <code>/help</code> lists them all. Nothing pretends to be an AI.
              </p>
              <p>To have questions answered in plain language, an admin sets <code>OPENAI_API_KEY</code> and <code>OPENAI_MODEL</code>
                (or <code>OPENAI_BASE_URL</code> for a local server such as Ollama), <code>ANTHROPIC_API_KEY</code>, or a <code>MODELS_FILE</code>, and restarts.</p>
            </div>
          }
        }
        @case ('loading') {
          <p>Checking which models are configured…</p>
        }
        @case ('failed') {
          <p data-testid="model-status">Which models are configured cannot be read just now.</p>
        }
      }
      <p><a routerLink="/status">Platform status</a></p>
    </section>
  `,
})
export class HomePage {
  private readonly session = inject(SessionService);

  /** Set after the first-run setup (`?welcome=1`). */
  readonly welcome = input(false, { transform: (value: unknown) => value === true || value === '1' || value === 'true' });
  protected readonly user = this.session.user;
  protected readonly models = inject(ModelsService).models();
  protected readonly modelCount = computed(() => {
    const models = this.models();
    return models.state === 'loaded' ? models.models.length : 0;
  });
  protected readonly defaultModel = computed(() => {
    const models = this.models();
    return models.state === 'loaded' ? (models.models.find((model) => model.default) ?? models.models[0] ?? null) : null;
  });
}
