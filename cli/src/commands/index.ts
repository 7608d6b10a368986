import type { CommandSpec } from '../command.js';
import { buildCommand } from './build.js';
import { configCommand } from './config.js';

/** Every command, in the order `oms --help` lists them. */
export const commands: CommandSpec[] = [buildCommand, configCommand] as CommandSpec[];
