import { TestBed } from '@angular/core/testing';
import { provideMarkdown } from 'ngx-markdown';
import { settled } from '../../../testing/settled';
import type { Answer, ToolCall } from '../answer';
import { AnswerViewComponent } from './answer-view';
import type { ApprovalDecision } from './tool-card';

const call: ToolCall = { kind: 'tool', id: 'k1', server: 'sqlite', tool: 'create_table', arguments: { query: 'CREATE TABLE t (a)' }, state: 'approval', startedAt: Date.now() };

async function shown(answer: Answer, live = true) {
  TestBed.configureTestingModule({ providers: [provideMarkdown()] });
  const fixture = TestBed.createComponent(AnswerViewComponent);
  fixture.componentRef.setInput('answer', answer);
  fixture.componentRef.setInput('live', live);
  const decisions: ApprovalDecision[] = [];
  let retried = 0;
  fixture.componentInstance.decided.subscribe((decision) => decisions.push(decision));
  fixture.componentInstance.retry.subscribe(() => retried++);
  await settled(fixture);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await settled(fixture);
  return { fixture, root: fixture.nativeElement as HTMLElement, decisions, retried: () => retried };
}

describe('an answer on screen', () => {
  it('renders Markdown, sanitised', async () => {
    const { root } = await shown({ status: 'complete', blocks: [{ kind: 'text', text: '**East** leads\n\n<img src=x onerror="alert(1)">' }] });
    expect(root.querySelector('strong')!.textContent).toBe('East');
    expect(root.innerHTML).not.toContain('onerror');
  });

  it('asks for approval in the card: Approve, Deny and Always allow', async () => {
    const { root, decisions } = await shown({ status: 'streaming', blocks: [call] });
    expect(root.querySelector('[data-testid=tool-status]')!.textContent).toContain('Waiting for your approval');
    expect(root.querySelector('details pre')!.textContent).toContain('CREATE TABLE t (a)');
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('.approval button')];
    expect(buttons.map((button) => button.textContent!.trim())).toEqual(['Approve', 'Deny', 'Always allow']);
    buttons.forEach((button) => button.click());
    expect(decisions).toEqual([
      { toolCallId: 'k1', decision: 'approve' },
      { toolCallId: 'k1', decision: 'deny' },
      { toolCallId: 'k1', decision: 'approve', remember: 'always' },
    ]);
  });

  it('shows progress while a call runs, and its time and the cached badge once done', async () => {
    const running = await shown({ status: 'streaming', blocks: [{ ...call, state: 'running', progress: { share: 0.4, message: 'ingesting' } }] });
    expect(running.root.querySelector<HTMLProgressElement>('progress')!.value).toBe(0.4);
    expect(running.root.textContent).toContain('ingesting');
    expect(running.root.querySelector('[data-testid=tool-elapsed]')).not.toBeNull();
    TestBed.resetTestingModule();
    const done = await shown({ status: 'complete', blocks: [{ ...call, state: 'done', durationMs: 1250, cached: true, result: { content: [{ type: 'text', text: 'created' }] } }] });
    expect(done.root.querySelector('[data-testid=tool-elapsed]')!.textContent).toBe('1.3 s');
    expect(done.root.querySelector('[data-testid=cached-badge]')).not.toBeNull();
    expect(done.root.textContent).toContain('created');
  });

  it('says a provider error in words, with a Retry once the turn is over', async () => {
    const { root, retried } = await shown({ status: 'error', blocks: [{ kind: 'error', code: 'provider_unavailable', message: '503' }] }, false);
    expect(root.querySelector('[data-testid=answer-error]')!.textContent).toContain('The model provider is not answering just now.');
    root.querySelector<HTMLButtonElement>('[data-testid=answer-error] button')!.click();
    expect(retried()).toBe(1);
  });
});
