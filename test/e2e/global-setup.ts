/**
 * Global setup of the end-to-end and CLI behaviour suites: the whole stack up through the
 * real CLI (`bin/oms up`: infra, services, topics, connectors, seed), whichever file runs
 * first. Nothing is stopped at the end: the stack stays for the user and the next run.
 * With OMS_TEST_INFRA=external nothing is started (as in the unit config's setup): CI's
 * Docker phase runs a file that brings up its own stacks while the ports belong to Docker.
 */
import { oms } from './helpers.js';

export async function setup(): Promise<void> {
  if (process.env.OMS_TEST_INFRA === 'external') return;
  const t0 = Date.now();
  const res = await oms(['up'], 20 * 60_000);
  if (res.exitCode !== 0) throw new Error(`\`oms up\` failed (exit ${String(res.exitCode)}):\n${res.all}`);
  process.stderr.write(`[e2e] stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}
