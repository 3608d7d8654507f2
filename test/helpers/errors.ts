import { expect } from 'vitest';

/** Runs a function that must throw, checks the error's class, and returns the error. */
export function thrownBy<T extends Error>(run: () => unknown, type: abstract new (...args: never[]) => T): T {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}`);
}
