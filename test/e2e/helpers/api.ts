import { uniqueEmail } from './browser.ts';

/** The password every account a browser test signs up with uses. */
export const E2E_PASSWORD = 'nuri-haneul-2026';

/**
 * Someone talking to the test server's API with the session cookie of their sign-up or log-in,
 * for the parts of a browser test that are set-up rather than what is being shown.
 */
export class Api {
  private cookie = '';
  user: { id: string } = { id: '' };
  email = '';
  constructor(private readonly base: string) {}

  async raw(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { ...extra };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.getSetCookie();
    if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    return res;
  }

  /** The JSON answer; anything but 2xx throws with the status and body. */
  async json<T = any>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const res = await this.raw(method, path, body, extra);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  static async signup(base: string, role: 'worker' | 'requester', name: string, extra: Record<string, unknown> = {}): Promise<Api> {
    const a = new Api(base);
    a.email = uniqueEmail(role);
    a.user = (await a.json('POST', '/api/auth/signup', { email: a.email, password: E2E_PASSWORD, displayName: name, role, ...extra })).user;
    return a;
  }

  static async login(base: string, who: { email: string; password: string }): Promise<Api> {
    const a = new Api(base);
    await a.json('POST', '/api/auth/login', who);
    a.email = who.email;
    return a;
  }
}
