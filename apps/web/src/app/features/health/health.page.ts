import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { type OverallStatus } from './health.model';
import { HEALTH_POLL_INTERVAL_MS, HealthService } from './health.service';

const OVERALL_LABELS: Readonly<Record<OverallStatus, string>> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  unreachable: 'Unreachable',
};

/** Shows whether the platform is ready, refreshed every few seconds. */
@Component({
  selector: 'app-health-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  templateUrl: './health.page.html',
  styleUrl: './health.page.css',
})
export class HealthPage {
  private readonly health = inject(HealthService);

  /** Latest report; `undefined` until the first check completes. */
  protected readonly report = toSignal(this.health.poll());

  protected readonly pollSeconds = HEALTH_POLL_INTERVAL_MS / 1000;

  protected readonly state = computed(() => this.report()?.overall ?? 'checking');

  protected readonly overallLabel = computed(() => {
    const report = this.report();
    return report ? OVERALL_LABELS[report.overall] : 'Checking…';
  });

  protected readonly parts = computed(() => this.report()?.parts ?? []);

  protected readonly summary = computed(() => {
    const report = this.report();
    if (!report) {
      return '';
    }
    if (report.overall === 'unreachable') {
      return report.reason ?? '';
    }
    const total = report.parts.length;
    const down = report.parts.filter((part) => part.status === 'down').length;
    if (total === 0) {
      return 'No parts were checked.';
    }
    return down === 0
      ? `All ${total} checks are up.`
      : `${down} of ${total} checks ${down === 1 ? 'is' : 'are'} down.`;
  });
}
