import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { draftKey } from '../../core/drafts';
import { type Composed, ComposerComponent } from './composer';

describe('the message box', () => {
  let http: HttpTestingController;
  beforeEach(() => {
    http = httpTestBed();
    sessionStorage.clear();
  });
  afterEach(() => http.verify());

  async function composer(conversationId: string | null = 'c1') {
    const fixture = TestBed.createComponent(ComposerComponent);
    fixture.componentRef.setInput('conversationId', conversationId);
    const sent: Composed[] = [];
    fixture.componentInstance.sent.subscribe((composed) => sent.push(composed));
    await settled(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const box = root.querySelector('textarea')!;
    const type = async (text: string) => {
      box.value = text;
      box.dispatchEvent(new Event('input'));
      await settled(fixture);
    };
    const press = (shiftKey = false) => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey }));
    return { fixture, root, box, sent, type, press };
  }

  it('sends on Enter, not on Shift+Enter, and keeps the draft until it is cleared', async () => {
    const { fixture, sent, type, press, box } = await composer();
    await type('  Which region sells most?  ');
    expect(sessionStorage.getItem(draftKey('c1'))).toBe('  Which region sells most?  ');
    press(true);
    expect(sent).toEqual([]);
    press();
    expect(sent).toEqual([{ content: 'Which region sells most?', attachments: [] }]);
    fixture.componentInstance.clear();
    await settled(fixture);
    expect(box.value).toBe('');
    expect(sessionStorage.getItem(draftKey('c1'))).toBeNull();
  });

  it('brings a draft back (after a reload or a trip through sign-in), and offers Stop while a turn runs', async () => {
    sessionStorage.setItem(draftKey(null), 'half a question');
    const { fixture, box, root, press, sent } = await composer(null);
    expect(box.value).toBe('half a question');
    fixture.componentRef.setInput('running', true);
    await settled(fixture);
    expect(root.querySelector('[data-testid=send]')).toBeNull();
    press();
    expect(sent).toEqual([]);
    let stopped = false;
    fixture.componentInstance.stop.subscribe(() => (stopped = true));
    root.querySelector<HTMLButtonElement>('[data-testid=stop]')!.click();
    expect(stopped).toBe(true);
  });

  it('uploads attached files with their progress, holds the message until they are up, and sends their ids', async () => {
    const { fixture, root, type, press, sent } = await composer();
    await type('What is in it?');
    fixture.componentInstance.attach([new File(['a,b\n1,2\n'], 'small.csv', { type: 'text/csv' })]);
    await settled(fixture);
    expect(root.querySelector('[data-testid=attachment] progress')).not.toBeNull();
    press();
    expect(sent).toEqual([]);
    http.expectOne('/api/v1/files').flush({ id: 'u1', name: 'small.csv', size: 8, sha256: '', mimeType: 'text/csv', kind: 'csv', storagePath: 'uploads/u1/small.csv', uploadedAt: '' });
    await settled(fixture);
    press();
    expect(sent).toEqual([{ content: 'What is in it?', attachments: ['u1'] }]);
  });
});
