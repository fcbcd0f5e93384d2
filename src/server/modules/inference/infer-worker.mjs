// The inference worker thread's entry (see infer-pool.ts): loads TypeScript through tsx, as
// bin/dure.js does for the main thread, then the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./infer-worker.ts');
