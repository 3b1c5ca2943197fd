import { apiUrl } from './api-url';

describe('apiUrl', () => {
  it('joins the base URL and the path with exactly one slash', () => {
    expect(apiUrl('', '/health/ready')).toBe('/health/ready');
    expect(apiUrl('https://chat.example/', 'health/ready')).toBe('https://chat.example/health/ready');
    expect(apiUrl('https://chat.example//', '//api/v1/files')).toBe('https://chat.example/api/v1/files');
  });
});
