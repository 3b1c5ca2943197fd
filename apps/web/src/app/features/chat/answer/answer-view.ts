import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MarkdownComponent } from 'ngx-markdown';
import { type Answer, errorInWords } from '../answer';
import { type ApprovalDecision, ToolCardComponent } from './tool-card';

/** An assistant's answer: its text as Markdown (sanitised), its tool calls as cards, its errors in words with a Retry. */
@Component({
  selector: 'app-answer-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MarkdownComponent, ToolCardComponent],
  template: `
    @for (block of answer().blocks; track $index) {
      @switch (block.kind) {
        @case ('text') {
          <markdown class="markdown" [data]="block.text" />
        }
        @case ('tool') {
          <app-tool-card [call]="block" [approvable]="live()" (decided)="decided.emit($event)" />
        }
        @case ('error') {
          <div class="form-error" role="alert" data-testid="answer-error">
            <p>{{ words(block.code, block.message) }}</p>
            @if (!live()) {
              <button type="button" (click)="retry.emit()">Retry</button>
            }
          </div>
        }
      }
    } @empty {
      @if (answer().status === 'streaming') {
        <p class="thinking" aria-label="Thinking">Thinking…</p>
      }
    }
    @if (answer().status === 'cancelled') {
      <p class="ended" data-testid="answer-stopped">Stopped.</p>
    }
  `,
  styles: `
    :host { display: block; }
    .markdown { display: block; overflow-wrap: anywhere; }
    .thinking, .ended { color: var(--text-muted); font-style: italic; }
  `,
})
export class AnswerViewComponent {
  readonly answer = input.required<Answer>();
  /** Whether the answer is the turn this page follows (its approvals can be answered here). */
  readonly live = input(false);
  readonly decided = output<ApprovalDecision>();
  readonly retry = output<void>();

  protected readonly words = errorInWords;
}
