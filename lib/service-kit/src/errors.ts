/**
 * An error a client caused or should see. `status` is the HTTP status, `error` a short
 * machine-friendly code, `details` anything that helps the caller fix the request.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} ${id} not found`, { [what]: id });
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class UnprocessableError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(422, 'unprocessable', message, details);
  }
}

/**
 * Something this service depends on (a database, a broker, another service) is down, too
 * slow or answering nonsense: a 503, since the same request may work later. `details` names
 * the dependency; `retryAfterSeconds`, when known, becomes a `Retry-After` header.
 */
export class DependencyUnavailableError extends HttpError {
  constructor(
    readonly dependency: string,
    reason: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(503, 'dependency_unavailable', `the ${dependency} service is unavailable: ${reason}`, { dependency });
    this.name = 'DependencyUnavailableError';
  }
}
