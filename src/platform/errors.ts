/**
 * One error type for the whole platform. Every failure the API reports carries a stable
 * machine-readable `code`, an HTTP status and an English message; clients map codes to text.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(code, 400, message, details);
export const unauthorized = (message = 'Sign in to continue.', code = 'unauthorized') =>
  new AppError(code, 401, message);
export const forbidden = (message = 'You are not allowed to do this.', code = 'forbidden') =>
  new AppError(code, 403, message);
/** Used both for missing objects and for objects of another tenant, so ids cannot be probed. */
export const notFound = (kind: string, id?: string) =>
  new AppError('not_found', 404, `${kind} not found`, id === undefined ? undefined : { id });
export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError(code, 409, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new AppError(code, 422, message, details);

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}
