import fc from 'fast-check';
import type { ShipmentChange } from '../domain/shipping.js';

/** Any command on an existing shipment, with realistic carriers, tracking numbers and reasons. */
export const changeArb: fc.Arbitrary<ShipmentChange> = fc.oneof(
  fc.constant({ type: 'pack' as const }),
  fc.record({
    type: fc.constant('dispatch' as const),
    carrier: fc.constantFrom('DHL', 'UPS', 'FedEx'),
    trackingNumber: fc.stringMatching(/^[A-Z0-9]{6,12}$/),
  }),
  fc.constant({ type: 'deliver' as const }),
  fc.record({ type: fc.constant('cancel' as const), reason: fc.option(fc.constantFrom('out of stock', 'customer request'), { nil: undefined }) }),
);
