import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorDetail } from '../core/app-error.ts';

/** The one place an error becomes an HTTP reply: `{error: {code, message, details?}}`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.status(err.status).send({ error: body(err.code, err.message, err.details) });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details: ErrorDetail[] = fe.validation.map((v) => ({
        path: `${fe.validationContext === 'body' ? '' : `/${fe.validationContext}`}${v.instancePath || ''}${
          v.keyword === 'required' ? `/${(v.params as { missingProperty?: string }).missingProperty}` : ''
        }`,
        problem: v.message ?? 'invalid',
      }));
      return reply.status(400).send({
        error: body('validation_failed', `invalid request ${fe.validationContext ?? ''}`.trim(), details),
      });
    }
    const status = fe.statusCode ?? 500;
    if (status < 500) {
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 404
              ? 'not_found'
              : status === 429
                ? 'rate_limited'
                : 'bad_request';
      return reply.status(status).send({ error: body(code, fe.message) });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: body('internal', 'internal server error') });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: body('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`) });
  });
}

function body(code: string, message: string, details?: ErrorDetail[]) {
  return details && details.length ? { code, message, details } : { code, message };
}
