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
