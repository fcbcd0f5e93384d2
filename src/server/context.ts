import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';

/** What every module's routes and services may use. Services take only the parts they need. */
export interface AppContext {
  config: Config;
  db: Db['db'];
  dbKind: Db['kind'];
  log: FastifyBaseLogger;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RawServerDefault } from 'fastify';

/** The Fastify instance route modules receive: TypeBox schemas type `req.body`, `req.params`… */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;
