import { describe, expect, it } from 'vitest';
import { isRebalancing } from './connect.js';

describe('isRebalancing', () => {
  it('when Connect answers 409, or 500 saying a rebalance is expected, then the call is asked again; any other 500 is not', () => {
    expect(isRebalancing({ status: 409, body: { error_code: 409, message: 'Cannot complete request momentarily due to stale configuration' } })).toBe(true);
    expect(isRebalancing({ status: 500, body: { error_code: 500, message: 'Request cannot be completed because a rebalance is expected' } })).toBe(true);
    expect(isRebalancing({ status: 500, body: { error_code: 500, message: 'Failed to find any class that implements Connector' } })).toBe(false);
    expect(isRebalancing({ status: 200, body: {} })).toBe(false);
  });
});
