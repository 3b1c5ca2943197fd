import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, output, signal } from '@angular/core';
import { formatElapsed } from '../../../core/format';
import { type ToolCall, resultText } from '../answer';
import { ResultTableComponent } from './result-table';
import { VegaChartComponent } from './vega-chart';

export interface ApprovalDecision {
  readonly toolCallId: string;
  readonly decision: 'approve' | 'deny';
  readonly remember?: 'conversation' | 'always';
}

const stateWords: Record<ToolCall['state'], string> = { running: 'Running', approval: 'Waiting for your approval', done: 'Done', failed: 'Failed' };

/**
 * A tool call in an answer: which server and tool, the arguments (folded), a live progress bar
 * and the time it has taken, an approval prompt when the tool asks for one, and then the result
 * (a table, a chart, or its text), with a badge when the analysis cache answered.
 */
@Component({
  selector: 'app-tool-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ResultTableComponent, VegaChartComponent],
  template: `
    <section class="tool-card" [class]="'tool-card state-' + call().state" [attr.aria-label]="'Tool call ' + call().server + ' ' + call().tool" data-testid="tool-card">
      <header>
        <span class="name"><span class="server">{{ call().server || 'tool' }}</span> · <strong>{{ call().tool }}</strong></span>
        <span class="status" data-testid="tool-status">{{ stateWords[call().state] }}</span>
        @if (elapsed() !== null) {
          <span class="elapsed" data-testid="tool-elapsed">{{ duration(elapsed()!) }}</span>
        }
        @if (call().cached) {
          <span class="badge" data-testid="cached-badge" title="Answered from the analysis cache: the same call over unchanged files">cached</span>
        }
      </header>
      @if (call().state === 'running') {
        <div class="progress">
          @if (call().progress?.share !== null && call().progress?.share !== undefined) {
            <progress max="1" [value]="call().progress!.share" [attr.aria-label]="'Progress of ' + call().tool"></progress>
          } @else {
            <progress [attr.aria-label]="'Progress of ' + call().tool"></progress>
          }
          @if (call().progress?.message; as message) {
            <span class="progress-message">{{ message }}</span>
          }
        </div>
      }
      <details>
        <summary>Arguments</summary>
        <pre>{{ argumentsText() }}</pre>
      </details>
      @if (call().state === 'approval' && approvable()) {
        <div class="approval" role="group" [attr.aria-label]="'Approve ' + call().tool">
          <p><strong>{{ call().server }} · {{ call().tool }}</strong> is not marked read-only: it may change things. Run it?</p>
          <div class="buttons">
            <button type="button" class="primary" (click)="decide('approve')">Approve</button>
            <button type="button" (click)="decide('deny')">Deny</button>
            <button type="button" (click)="decide('approve', 'always')" title="Run this tool without asking from now on, in every conversation">Always allow</button>
          </div>
        </div>
      }
      @if (call().table; as table) {
        <app-result-table [table]="table" [name]="call().tool" />
      }
      @if (call().chart; as chart) {
        <app-vega-chart [spec]="chart.spec" [title]="chart.title" />
      }
      @if ((call().state === 'done' || call().state === 'failed') && !call().table && !call().chart) {
        @if (call().state === 'failed') {
          <p class="form-error" data-testid="tool-error">{{ resultWords() || 'The call did not finish.' }}</p>
        } @else if (resultWords()) {
          <details>
            <summary>Result</summary>
            <pre>{{ resultWords() }}</pre>
          </details>
        }
      }
    </section>
  `,
  styles: `
    .tool-card { border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.6rem 0.8rem; margin-block: 0.6rem; background: var(--surface); display: grid; gap: 0.4rem; }
    .state-failed { border-color: var(--down); }
    .state-approval { border-color: var(--accent); }
    header { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: baseline; }
    .server { color: var(--text-muted); }
    .status, .elapsed { font-size: 0.8rem; color: var(--text-muted); }
    .badge { font-size: 0.75rem; padding: 0 0.4rem; border-radius: 999px; background: var(--warn-bg); color: var(--text); }
    .progress { display: flex; gap: 0.6rem; align-items: center; }
    progress { inline-size: min(20rem, 100%); }
    .progress-message { font-size: 0.8rem; color: var(--text-muted); }
    summary { cursor: pointer; font-size: 0.875rem; }
    pre { white-space: pre-wrap; word-break: break-word; font-size: 0.8rem; margin: 0.3rem 0 0; max-block-size: 20rem; overflow: auto; }
    .buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; }
    .buttons .primary { margin: 0; }
    .approval p { margin: 0 0 0.4rem; }
  `,
})
export class ToolCardComponent {
  readonly call = input.required<ToolCall>();
  /** Whether this page can answer the approval (the turn is the one it follows). */
  readonly approvable = input(true);
  readonly decided = output<ApprovalDecision>();

  protected readonly stateWords = stateWords;
  protected readonly duration = formatElapsed;
  private readonly now = signal(Date.now());
  protected readonly argumentsText = computed(() => JSON.stringify(this.call().arguments, null, 2));
  protected readonly resultWords = computed(() => (this.call().result === undefined ? '' : resultText(this.call().result)));
  /** The call's time: the result's own once it has one, else the time since it started (ticking). */
  protected readonly elapsed = computed(() => {
    const call = this.call();
    if (call.durationMs !== undefined) return call.durationMs;
    return call.startedAt !== null && (call.state === 'running' || call.state === 'approval') ? Math.max(0, this.now() - call.startedAt) : null;
  });

  constructor() {
    let timer: ReturnType<typeof setInterval> | undefined;
    effect(() => {
      const running = this.call().state === 'running' || this.call().state === 'approval';
      if (running && !timer) timer = setInterval(() => this.now.set(Date.now()), 250);
      if (!running && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    });
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected decide(decision: 'approve' | 'deny', remember?: 'always'): void {
    this.decided.emit({ toolCallId: this.call().id, decision, ...(remember ? { remember } : {}) });
  }
}
