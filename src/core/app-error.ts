/**
 * The one error type services throw. The HTTP layer maps `code` to a status in one place
 * (src/server/error-handler.ts); services never build replies themselves.
 */
export type ErrorDetail = { path?: string; line?: number; problem: string };

export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  weak_password: 400,
  invalid_template: 400,
  invalid_result: 400,
  invalid_import: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_rejected: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  invalid_state: 409,
  lease_expired: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  insufficient_funds: 409,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Extra headers the HTTP layer should send (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[], headers?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
