import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeNull();
    expect(c.dataDir.endsWith('.dure-data')).toBe(true);
    expect(c.secureCookies).toBe(false);
  });

  it('rejects bad values with a message naming each variable', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', DURE_ADMIN_EMAIL: 'a@b.kr' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('DURE_ADMIN_PASSWORD');
    }
  });

  it('marks cookies Secure when the public URL is https', () => {
    expect(loadConfig({ DURE_PUBLIC_URL: 'https://dure.example' }).secureCookies).toBe(true);
  });
});
