import { describe, expect, it } from 'vitest';
import { wandbBaseUrlProblem } from './wandbSettings';

describe('wandbBaseUrlProblem', () => {
  it('accepts https hosts and plain http only to this machine', () => {
    for (const url of ['https://api.wandb.ai', 'https://wandb.example.com:8443/', 'http://localhost:8080', 'http://127.0.0.1:5199/']) {
      expect(wandbBaseUrlProblem(url)).toBeNull();
    }
  });

  it('refuses other schemes and plain http elsewhere, naming what was given', () => {
    expect(wandbBaseUrlProblem('http://wandb.example.com')).toBe('the base URL must be https:// (plain http:// only to localhost or 127.0.0.1), got http://wandb.example.com');
    expect(wandbBaseUrlProblem('javascript:alert(1)')).toMatch(/must be https:\/\//);
    expect(wandbBaseUrlProblem('file:///etc/passwd')).toMatch(/must be https:\/\//);
    expect(wandbBaseUrlProblem('not a url')).toBe('the base URL is not a URL');
    expect(wandbBaseUrlProblem('https://user:secret@api.wandb.ai')).toBe('the base URL must not carry a user name or password');
  });
});
