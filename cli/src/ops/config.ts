/** `oms config`'s operation: every setting with its effective value and where it came from. */
import { SETTINGS, type Source } from '../config.js';
import type { OpsContext } from '../context.js';

export interface SettingRow {
  key: string;
  value: unknown;
  source: Source;
  env: string;
  doc: string;
}

/** The value of a dotted setting key (`ports.kafka`) in a config, or undefined. */
export function valueAt(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), config);
}

export function effectiveConfig(ctx: Pick<OpsContext, 'loaded'>): { file: string | null; settings: SettingRow[] } {
  const { config, sources, file } = ctx.loaded;
  return { file: file ?? null, settings: SETTINGS.map((s) => ({ key: s.key, value: valueAt(config, s.key), source: sources[s.key] ?? 'default', env: s.env, doc: s.doc })) };
}
