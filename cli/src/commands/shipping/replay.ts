import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { renderReplay, replayShipments } from '../../ops/shipping.js';

/** `oms shipping replay`: rebuild the shipments projection from the event store and prove it equals the live one. */
export const shippingReplayCommand = defineCommand({
  path: 'shipping replay',
  summary: "rebuild shipping's projection from its event store and check it equals the live one",
  examples: ['oms shipping replay', 'oms shipping replay --json | jq .data.equal'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const result = await replayShipments(ctx);
    return { data: result, text: renderReplay(result), exitCode: result.equal ? 0 : 1 };
  },
});
