/** The inference worker thread: runs ProjectInferrer jobs posted by infer-pool.ts. */
import { parentPort, threadId } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './infer-pool.ts';
import { ProjectInferrer } from './project-inferrer.ts';

const port = parentPort!;
const jobs = new Map<number, { inferrer: ProjectInferrer | null; error: string | null }>();
const reply = (m: FromWorker) => port.postMessage(m);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

port.on('message', (m: ToWorker) => {
  if (m.t === 'start') {
    try {
      jobs.set(m.job, { inferrer: new ProjectInferrer(m.template, m.settings), error: null });
    } catch (e) {
      jobs.set(m.job, { inferrer: null, error: message(e) });
    }
  } else if (m.t === 'add') {
    const j = jobs.get(m.job);
    if (!j?.inferrer || j.error) return;
    try {
      for (const r of m.rows) j.inferrer.add(r);
    } catch (e) {
      j.error = message(e);
    }
  } else if (m.t === 'abort') {
    jobs.delete(m.job);
  } else {
    const j = jobs.get(m.job);
    jobs.delete(m.job);
    if (!j || !j.inferrer || j.error) return reply({ t: 'error', job: m.job, message: j?.error ?? 'unknown job' });
    try {
      reply({ t: 'done', job: m.job, result: j.inferrer.finish(m.gold), threadId });
    } catch (e) {
      reply({ t: 'error', job: m.job, message: message(e) });
    }
  }
});
