import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { PreferencesService } from '../../core/preferences.service';
import { httpTestBed } from '../../testing/http-test-bed';
import { settled } from '../../testing/settled';
import { DefaultModelSection } from './default-model.section';
import type { ChatModel } from '../../core/models.service';

const models: ChatModel[] = [
  { id: 'gpt-4.1-mini', label: 'GPT-4.1 mini', provider: 'openai', default: true },
  { id: 'claude-sonnet', label: 'Claude Sonnet', provider: 'anthropic', default: false },
];

describe('the default model section', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    http = httpTestBed();
  });

  afterEach(() => {
    http.verify();
    localStorage.clear();
  });

  async function opened(answer: ChatModel[] | 'fails') {
    const fixture = TestBed.createComponent(DefaultModelSection);
    const request = http.expectOne('/api/v1/models');
    if (answer === 'fails') request.flush({ detail: 'The gateway is busy' }, { status: 503, statusText: 'Service Unavailable' });
    else request.flush(answer);
    await settled(fixture);
    return { fixture, root: fixture.nativeElement as HTMLElement };
  }

  it("offers the configured models, the instance's default first, and remembers the choice in this browser", async () => {
    const { fixture, root } = await opened(models);
    const select = root.querySelector<HTMLSelectElement>('#default-model')!;
    expect([...select.options].map((option) => option.textContent!.trim())).toEqual([
      "The instance's default: GPT-4.1 mini",
      'GPT-4.1 mini (openai)',
      'Claude Sonnet (anthropic)',
    ]);
    expect(select.value).toBe('');

    select.value = 'claude-sonnet';
    select.dispatchEvent(new Event('change'));
    await settled(fixture);
    expect(TestBed.inject(PreferencesService).defaultModel()).toBe('claude-sonnet');
    expect(localStorage.getItem('dfc.defaultModel')).toBe('claude-sonnet');
    expect(root.querySelector('[role=status]')!.textContent).toContain('New conversations will start with Claude Sonnet.');

    select.value = '';
    select.dispatchEvent(new Event('change'));
    await settled(fixture);
    expect(TestBed.inject(PreferencesService).defaultModel()).toBeNull();
    expect(localStorage.getItem('dfc.defaultModel')).toBeNull();
  });

  it('shows the choice made before, and says when that model is gone', async () => {
    localStorage.setItem('dfc.defaultModel', 'claude-sonnet');
    const { root } = await opened(models);
    expect(root.querySelector<HTMLSelectElement>('#default-model')!.value).toBe('claude-sonnet');
    expect(root.querySelector('[data-testid=model-gone]')).toBeNull();

    TestBed.resetTestingModule();
    http = httpTestBed();
    localStorage.setItem('dfc.defaultModel', 'retired-model');
    const again = await opened(models);
    expect(again.root.querySelector<HTMLSelectElement>('#default-model')!.value).toBe('');
    expect(again.root.querySelector('[data-testid=model-gone]')!.textContent).toContain('retired-model');
  });

  it('says direct mode is on, with nothing to choose, when no model is configured', async () => {
    const { root } = await opened([]);
    expect(root.querySelector('#default-model')).toBeNull();
    expect(root.querySelector('[data-testid=direct-mode]')!.textContent).toContain('Direct mode is on');
  });

  it("says in the gateway's words when the models cannot be listed", async () => {
    const { root } = await opened('fails');
    expect(root.querySelector('[role=alert]')!.textContent).toContain('The models cannot be listed: The gateway is busy');
  });
});
