import { z } from 'zod';
import { defineCommand } from '../command.js';
import { build } from '../ops/build.js';

/**
 * `oms build`: compile every workspace (the services the local runtime starts and this CLI);
 * with `--images` (or `--offline`) also the docker runtime's images.
 */
export const buildCommand = defineCommand({
  path: 'build',
  summary: 'compile the services and the CLI; --images also builds the Docker images (--offline: from a local Debian base, no registry)',
  examples: [
    'oms build                  # incremental: only what changed is rebuilt',
    'oms build --images         # + the service images and Kafka Connect with Debezium (public bases are pulled)',
    'oms build --offline        # every image from debootstrap + apt + the cached Kafka/Debezium/Elasticsearch, nothing pulled',
    'oms build --offline --force   # rebuild even when the inputs did not change (Docker\'s layer cache still applies)',
  ],
  configure: (cmd) =>
    cmd
      .option('--images', 'also build the docker runtime\'s images through the Docker daemon')
      .option('--offline', 'build every image from a local Debian base (debootstrap), pulling nothing; implies --images')
      .option('--force', 'with --images: rebuild images whose inputs did not change'),
  input: (_args, opts) => ({ images: opts.images === true || opts.offline === true, offline: opts.offline === true, force: opts.force === true }),
  schema: z.object({ images: z.boolean(), offline: z.boolean(), force: z.boolean() }),
  run: async (opts, ctx) => ({ data: await ctx.out.withSteps((onEvent) => build(ctx, opts, { onEvent })) }),
});
