/**
 * The configuration tests every service shares: its defaults, and one error naming every
 * malformed variable. A service adds tests of its own variables beside them.
 */
import { refusedVariables, runDefaults } from '@oms/service-kit/testing';
import { expect, it } from 'vitest';

type Load = (env: Record<string, string | undefined>) => unknown;

export interface ServiceConfigCases {
  load: Load;
  /** The service's port and its own variables' defaults (HOST, LOG_LEVEL, START_TIMEOUT_MS are everyone's). */
  defaults: Record<string, unknown> & { PORT: number };
  /** Malformed variables, each of which the error must name. */
  malformed: Record<string, string>;
}

/** Registers the two tests (defaults; every malformed variable named in one error). */
export function itReadsItsEnvironment({ load, defaults, malformed }: ServiceConfigCases): void {
  it('when the environment is empty, then the documented defaults apply', () => {
    expect(load({})).toEqual({ ...runDefaults, ...defaults });
  });

  it('when several variables are malformed, then one error lists all of them', () => {
    expect(refusedVariables(load, malformed)).toEqual(expect.arrayContaining(Object.keys(malformed)));
  });
}
