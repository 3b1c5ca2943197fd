import { OriginPolicy } from './origin-policy.js';

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['https://chat.example.com', 'http://localhost:6274']);

  it('lets clients that send no Origin in: desktop apps and agents are not pages', () => {
    expect(policy.check(undefined, 'evil.example')).toEqual({ allowed: true });
  });

  it('lets a loopback page on the gateway’s own host in', () => {
    expect(policy.check('http://127.0.0.1:3000', '127.0.0.1:3000').allowed).toBe(true);
    expect(policy.check('http://localhost:3000', 'LOCALHOST:3000').allowed).toBe(true);
    expect(policy.check('http://[::1]:3000', '[::1]:3000').allowed).toBe(true);
    expect(policy.check('http://localhost', 'localhost:80').allowed).toBe(true);
  });

  it('refuses a DNS-rebinding page, whose Host and Origin name the attacker alike', () => {
    const verdict = policy.check('http://evil.example', 'evil.example');
    expect(verdict).toEqual({ allowed: false, reason: expect.stringContaining('Pages from http://evil.example may not use this MCP endpoint') });
  });

  it('refuses a loopback page on another port: another local app is another origin', () => {
    expect(policy.check('http://localhost:8080', 'localhost:3000').allowed).toBe(false);
  });

  it('lets the allow-listed origins in, on any host, and only those exactly', () => {
    expect(policy.check('https://chat.example.com', 'gateway.internal:3000').allowed).toBe(true);
    expect(policy.check('http://localhost:6274', '127.0.0.1:3000').allowed).toBe(true);
    expect(policy.check('http://chat.example.com', 'gateway.internal:3000').allowed).toBe(false);
    expect(policy.check('https://chat.example.com.evil.example', 'gateway.internal:3000').allowed).toBe(false);
  });

  it('refuses an Origin that is not an origin, such as the "null" of sandboxed pages', () => {
    expect(policy.check('null', '127.0.0.1:3000')).toEqual({ allowed: false, reason: 'The Origin header "null" is not an origin' });
  });
});
