import { expect } from 'vitest';
import { AppError } from '../platform/errors.js';

/** Awaits a promise that must be refused with an AppError of this code; returns the error. */
export async function refused(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected refusal with ${code}, but it succeeded`);
}
