import { z } from 'zod';
import { execa } from 'execa';
import { defineCommand } from '../command.js';
import { ExternalError } from '../errors.js';
import type { Step } from '../output.js';
import { dockerRuntimeFor } from '../lib/stack.js';

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
  run: async (opts, ctx) => {
    const steps: Step[] = [
      {
        id: 'typescript',
        title: 'Compile TypeScript (tsc -b)',
        run: async () => {
          const res = await execa('./node_modules/.bin/tsc', ['-b'], { cwd: ctx.repoRoot, reject: false, all: true });
          if (res.exitCode !== 0) {
            throw new ExternalError('the TypeScript build failed', { details: (res.all ?? '').split('\n').slice(-40), hint: 'fix the errors above, then rerun `oms build`' });
          }
        },
      },
    ];
    if (opts.images) {
      const docker = await dockerRuntimeFor(ctx, { offline: opts.offline });
      steps.push({
        id: 'images',
        title: docker.offline ? 'Docker images (offline: from a local Debian base)' : 'Docker images',
        run: (progress) => docker.ensureImages({ force: opts.force, onProgress: progress }),
      });
    }
    const results = await ctx.out.runSteps(steps, ctx.signal);
    return { data: { steps: results } };
  },
});
