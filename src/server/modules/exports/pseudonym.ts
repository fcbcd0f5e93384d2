import crypto from 'node:crypto';

/**
 * Worker ids as outsiders see them (exports, webhooks): `w_` + 16 hex digits of
 * HMAC-SHA256(project key, worker id). The same worker has the same pseudonym in every export
 * and event of a project and unrelated ones in other projects; it cannot be turned back into
 * the account without the key, which never leaves the database.
 */
export function pseudonymizer(key: string): (workerId: string) => string {
  const cache = new Map<string, string>();
  return (workerId) => {
    let p = cache.get(workerId);
    if (p === undefined) {
      p = `w_${crypto.createHmac('sha256', key).update(workerId).digest('hex').slice(0, 16)}`;
      cache.set(workerId, p);
    }
    return p;
  };
}

/** HMAC-SHA256's inner and outer pads of `key` (RFC 2104), for computing the same pseudonym in SQL. */
export function hmacPads(key: string): { inner: Buffer; outer: Buffer } {
  let k = Buffer.from(key, 'utf8');
  if (k.length > 64) k = crypto.createHash('sha256').update(k).digest();
  const k0 = Buffer.alloc(64);
  k.copy(k0);
  return { inner: Buffer.from(k0.map((b) => b ^ 0x36)), outer: Buffer.from(k0.map((b) => b ^ 0x5c)) };
}
