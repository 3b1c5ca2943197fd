import { ChangeDetectionStrategy, Component } from '@angular/core';
import { HealthPage } from './features/health/health.page';

/**
 * Application shell: owns the page landmarks. Feature pages render inside `<main>`;
 * once there is more than one page this becomes `<router-outlet />`.
 */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [HealthPage],
  template: `
    <main class="app-main">
      <app-health-page />
    </main>
  `,
  styles: `
    .app-main {
      box-sizing: border-box;
      inline-size: 100%;
      max-inline-size: 48rem;
      margin-inline: auto;
      padding: clamp(1rem, 4vw, 2.5rem);
    }
  `,
})
export class App {}
