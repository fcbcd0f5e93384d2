/** A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers as told. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status to answer the n-th request (0-based) with; default 200. */
  answer: (n: number, req: Received) => number = () => 200;
  private server: http.Server | null = null;
  port = 0;

  get url() {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(parts), at: Date.now() };
        const n = this.received.length;
        this.received.push(r);
        const status = this.answer(n, r);
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status >= 300 ? 'receiver says no' : 'ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  json(i: number) {
    return JSON.parse(this.received[i]!.body.toString('utf8'));
  }

  async waitFor(n: number, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > end) throw new Error(`receiver got ${this.received.length} of ${n} requests in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export async function until<T>(f: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
