#!/usr/bin/env node
// The `dure` command. The server and CLI run from TypeScript sources through tsx's loader,
// so a fresh `npm install` needs no compile step for them.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
