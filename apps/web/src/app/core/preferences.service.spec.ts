import { TestBed } from '@angular/core/testing';
import { defaultModelKey, PreferencesService } from './preferences.service';

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
});
