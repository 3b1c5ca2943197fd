import { TestBed } from '@angular/core/testing';
import { defaultModelKey, PreferencesService, themeKey } from './preferences.service';

describe('PreferencesService', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    vi.restoreAllMocks();
    localStorage.clear();
  });

  it('starts with the instance default, and with what this browser chose before', () => {
    expect(TestBed.inject(PreferencesService).defaultModel()).toBeNull();
    TestBed.resetTestingModule();
    localStorage.setItem(defaultModelKey, 'gpt-4.1-mini');
    expect(TestBed.inject(PreferencesService).defaultModel()).toBe('gpt-4.1-mini');
  });

  it('remembers a model under dfc.defaultModel, and forgets it for the default', () => {
    const preferences = TestBed.inject(PreferencesService);
    preferences.setDefaultModel('claude-sonnet');
    expect(preferences.defaultModel()).toBe('claude-sonnet');
    expect(localStorage.getItem('dfc.defaultModel')).toBe('claude-sonnet');

    preferences.setDefaultModel(null);
    expect(preferences.defaultModel()).toBeNull();
    expect(localStorage.getItem('dfc.defaultModel')).toBeNull();

    preferences.setDefaultModel('  ');
    expect(localStorage.getItem('dfc.defaultModel')).toBeNull();
  });

  it('follows a choice made in another tab', () => {
    const preferences = TestBed.inject(PreferencesService);
    localStorage.setItem(defaultModelKey, 'llama3');
    window.dispatchEvent(new StorageEvent('storage', { key: defaultModelKey, newValue: 'llama3' }));
    expect(preferences.defaultModel()).toBe('llama3');
    localStorage.removeItem(defaultModelKey);
    window.dispatchEvent(new StorageEvent('storage', { key: defaultModelKey, newValue: null }));
    expect(preferences.defaultModel()).toBeNull();
  });

  it('keeps the choice for this page when the browser refuses to store it', () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const preferences = TestBed.inject(PreferencesService);
    preferences.setDefaultModel('claude-sonnet');
    expect(preferences.defaultModel()).toBe('claude-sonnet');
  });

  it('sets the theme chosen on <html>, keeps it, and goes back to the system setting', () => {
    const preferences = TestBed.inject(PreferencesService);
    const root = document.documentElement;
    expect(preferences.theme()).toBe('system');
    preferences.setTheme('dark');
    TestBed.tick();
    expect(root.dataset['theme']).toBe('dark');
    expect(localStorage.getItem(themeKey)).toBe('dark');
    preferences.setTheme('system');
    TestBed.tick();
    expect(root.dataset['theme']).toBeUndefined();
    expect(localStorage.getItem(themeKey)).toBeNull();
    TestBed.resetTestingModule();
    localStorage.setItem(themeKey, 'light');
    TestBed.inject(PreferencesService);
    TestBed.tick();
    expect(root.dataset['theme']).toBe('light');
    localStorage.setItem(themeKey, 'purple');
    TestBed.resetTestingModule();
    expect(TestBed.inject(PreferencesService).theme()).toBe('system');
  });
});
