import { z } from 'zod';
import { defineCommand } from '../command.js';
import { anyFailed, doctor, renderChecks } from '../ops/doctor.js';

/** `oms doctor`: what this machine has and lacks for the stack, each problem with its fix. */
export const doctorCommand = defineCommand({
  path: 'doctor',
  summary: 'check this machine: Docker, Java, Maven, MariaDB/PostgreSQL, ports, memory, disk, vm.max_map_count (exit 1 if a check fails)',
  examples: [
    'oms doctor                               # every check, with the fix for each problem',
    'oms doctor --json | jq \'.data.checks[] | select(.status != "ok")\'',
    'OMS_PORT_POSTGRES=15432 oms doctor       # would the moved port be free?',
  ],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const checks = await doctor(ctx);
    return { data: { checks }, text: renderChecks(checks), exitCode: anyFailed(checks) ? 1 : 0 };
  },
});
