import type { CommandSpec } from '../command.js';
import { buildCommand } from './build.js';
import { downCommand } from './down.js';
import { logsCommand } from './logs.js';
import { statusCommand } from './status.js';
import { upCommand } from './up.js';
import { configCommand } from './config.js';
import { doctorCommand } from './doctor.js';
import { reportCommand } from './report.js';
import { resetCommand } from './reset.js';
import { seedCommand } from './seed.js';
import { smokeCommand } from './smoke.js';
import { loadCommand } from './load.js';
import { connectorsRestartCommand } from './connectors/restart.js';
import { connectorsStatusCommand } from './connectors/status.js';
import { connectorsSubmitCommand } from './connectors/submit.js';
import { topicsCreateCommand } from './topics/create.js';
import { topicsDescribeCommand } from './topics/describe.js';
import { topicsListCommand } from './topics/list.js';
import { topicsTailCommand } from './topics/tail.js';
import { openCommand } from './open.js';
import { traceCommand } from './trace.js';
import { shippingReplayCommand } from './shipping/replay.js';
import { keeperCommand } from './keeper.js';

/** Every command, in the order `oms --help` lists them. */
export const commands: CommandSpec[] = [upCommand, downCommand, resetCommand, statusCommand, doctorCommand, logsCommand, reportCommand, buildCommand, topicsCreateCommand, topicsListCommand, topicsDescribeCommand, topicsTailCommand, connectorsSubmitCommand, connectorsStatusCommand, connectorsRestartCommand, seedCommand, smokeCommand, loadCommand, shippingReplayCommand, traceCommand, openCommand, configCommand, keeperCommand] as CommandSpec[];
