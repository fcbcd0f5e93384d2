import { describe, expect, it } from 'vitest';
import { isPrivateAddress, privateHostProblem, publicOnlyLookup } from './address-guard.ts';

describe('the webhook address guard', () => {
  it('tells private, loopback, link-local and reserved addresses from public ones', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd12:3456::1', 'fc00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '211.234.10.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '::ffff:808:808']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
    // Not an address at all: names are judged when they are resolved.
    expect(isPrivateAddress('example.kr')).toBe(false);
  });

  it('judges a URL by its host as the URL parser normalises it', () => {
    expect(privateHostProblem(new URL('http://0x7f.1/'))).toMatch(/private/); // 127.0.0.1 in hex
    expect(privateHostProblem(new URL('http://[::1]:8080/'))).toMatch(/private/);
    expect(privateHostProblem(new URL('http://LOCALHOST/'))).toMatch(/localhost/);
    expect(privateHostProblem(new URL('https://hooks.example.kr/x'))).toBeNull();
  });

  it('fails the lookup of a name that resolves to a private address', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('EPRIVATEADDRESS');
    expect(err?.message).toMatch(/localhost resolves to a private address/);
  });
});
