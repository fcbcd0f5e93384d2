/**
 * Runs a project's truth inference (ProjectInferrer) in a worker thread, so that a big project's
 * EM iterations — seconds at a million answers — never stall the server's requests: the job
 * reads answer pages on the main thread and posts them; the worker encodes and infers.
 *
 * One worker per pool, started on the first job and kept for the next (jobs run one after
 * another: the inference job's passes already do). It keeps the process alive only while a job
 * is under way. A crashed worker (out of memory, a bug) fails the jobs it held; the next job
 * starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { Template } from '../../../core/templates/index.ts';
import type { AnswerRow } from './inference.repo.ts';
import type { InferrerSettings, ProjectInference } from './project-inferrer.ts';

export type GoldRow = { id: number; gold: Record<string, unknown> | null };

export type ToWorker =
  | { t: 'start'; job: number; template: Template; settings: InferrerSettings }
  | { t: 'add'; job: number; rows: AnswerRow[] }
  | { t: 'finish'; job: number; gold: GoldRow[] }
  | { t: 'abort'; job: number };

export type FromWorker = { t: 'done'; job: number; result: ProjectInference; threadId: number } | { t: 'error'; job: number; message: string };

/** One project's inference under way in the worker. */
export interface InferenceJob {
  /** Answers in annotation id order (the last answer of a worker on an item counts). */
  add(rows: AnswerRow[]): void;
  /** The result, computed in the worker (`threadId` says which thread computed it). */
  finish(gold: GoldRow[]): Promise<ProjectInference & { threadId: number }>;
  /** Drops the job (the caller failed while reading answers). */
  abort(): void;
}

const WORKER_URL = new URL('./infer-worker.mjs', import.meta.url);

export class InferencePool {
  private worker: Worker | null = null;
  private nextJob = 1;
  private readonly pending = new Map<number, { resolve: (r: ProjectInference & { threadId: number }) => void; reject: (e: Error) => void }>();

  start(template: Template, settings: InferrerSettings): InferenceJob {
    const job = this.nextJob++;
    this.post({ t: 'start', job, template, settings });
    let open = true;
    return {
      add: (rows) => {
        if (open && rows.length) this.post({ t: 'add', job, rows });
      },
      finish: (gold) => {
        open = false;
        return new Promise((resolve, reject) => {
          this.pending.set(job, { resolve, reject });
          this.worker!.ref();
          this.post({ t: 'finish', job, gold });
        });
      },
      abort: () => {
        if (!open) return;
        open = false;
        if (this.worker) this.post({ t: 'abort', job });
      },
    };
  }

  /** Stops the worker (jobs under way fail). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private post(m: ToWorker): void {
    this.ensure().postMessage(m);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // No inherited flags: the worker loads tsx itself (infer-worker.mjs); a test runner's own
    // loader flags are not meant for it.
    const w = new Worker(WORKER_URL, { execArgv: process.execArgv.filter((a) => a.startsWith('--max-old-space-size')) });
    w.unref();
    w.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.job);
      if (!p) return;
      this.pending.delete(m.job);
      if (!this.pending.size) w.unref();
      if (m.t === 'done') p.resolve({ ...m.result, threadId: m.threadId });
      else p.reject(new Error(`inference failed: ${m.message}`));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => fail(new Error(`the inference worker stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }
}
