/** `oms build`'s operation: compile every workspace; with `images`, also the docker runtime's images. */
import type { OpsContext, ProgressHooks } from '../context.js';
import { runSteps, type Step, type StepResult } from '../lib/steps.js';
import { dockerRuntimeFor } from './stack.js';
import { compileTypeScript } from './up.js';

export async function build(ctx: OpsContext, opts: { images: boolean; offline: boolean; force: boolean }, hooks: ProgressHooks = {}): Promise<{ steps: StepResult[] }> {
  const steps: Step[] = [{ id: 'typescript', title: 'Compile TypeScript (tsc -b)', run: () => compileTypeScript(ctx.repoRoot, 'oms build') }];
  if (opts.images) {
    const docker = await dockerRuntimeFor(ctx, { offline: opts.offline });
    steps.push({
      id: 'images',
      title: docker.offline ? 'Docker images (offline: from a local Debian base)' : 'Docker images',
      run: (progress) => docker.ensureImages({ force: opts.force, onProgress: progress }),
    });
  }
  return { steps: await runSteps(steps, { signal: ctx.signal, onEvent: hooks.onEvent }) };
}
