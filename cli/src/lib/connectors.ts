import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { OmsConfig } from '../config.js';
import type { Endpoints } from './endpoints.js';

/** Plain Kafka Connect JSON, as POSTed to /connectors: every config value a string. */
export const connectorFileSchema = z.object({
  name: z.string().regex(/^oms-[a-z-]+$/),
  config: z
    .record(z.string(), z.string())
    .refine((c) => typeof c['connector.class'] === 'string', { error: 'config needs connector.class' })
    .refine((c) => typeof c['tasks.max'] === 'string', { error: 'config needs tasks.max' }),
});
export type ConnectorFile = z.infer<typeof connectorFileSchema>;

const PLACEHOLDER = /\{\{([a-zA-Z]+)\}\}/g;

/** The values the templates' {{placeholders}} take for a runtime. */
export function templateValues(config: OmsConfig, endpoints: Endpoints, hosts?: { mysqlHost?: string; pgHost?: string; kafkaBootstrap?: string }): Record<string, string> {
  const mariadb = config.mysqlFlavor === 'mariadb';
  return {
    sourceConnectorClass: mariadb ? 'io.debezium.connector.mariadb.MariaDbConnector' : 'io.debezium.connector.mysql.MySqlConnector',
    // The two connectors spell "no TLS" differently.
    sslModeDisabled: mariadb ? 'disable' : 'disabled',
    mysqlHost: hosts?.mysqlHost ?? endpoints.mysql.host,
    mysqlPort: String(endpoints.mysql.port),
    cdcUser: endpoints.mysql.cdcUser,
    cdcPassword: endpoints.mysql.cdcPassword,
    kafkaBootstrap: hosts?.kafkaBootstrap ?? endpoints.kafkaBrokers.join(','),
    pgHost: hosts?.pgHost ?? endpoints.postgres.host,
    pgPort: String(endpoints.postgres.port),
    pgDatabase: endpoints.postgres.database,
    pgUser: endpoints.postgres.user,
    pgPassword: endpoints.postgres.password,
  };
}

/** Placeholders a template uses. */
export function placeholdersOf(file: ConnectorFile): string[] {
  const found = new Set<string>();
  for (const value of Object.values(file.config)) for (const m of value.matchAll(PLACEHOLDER)) found.add(m[1]!);
  return [...found].sort();
}

/** Fills a template; an unknown placeholder is a bug in the template, so it throws. */
export function renderConnector(file: ConnectorFile, values: Record<string, string>): ConnectorFile {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config)) {
    config[key] = value.replace(PLACEHOLDER, (_m, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`connector ${file.name}: unknown placeholder {{${name}}} in ${key}`);
      return v;
    });
  }
  return { name: file.name, config };
}

/** Reads and validates every connectors/*.json. */
export function loadConnectorFiles(repoRoot: string): ConnectorFile[] {
  const dir = join(repoRoot, 'connectors');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = connectorFileSchema.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!parsed.success) throw new Error(`connectors/${f}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return parsed.data;
    });
}

export interface ConfigChange {
  key: string;
  from: string | undefined;
  to: string | undefined;
}

/** Differences between desired and live config; Connect adds `name` to live configs, which is ignored. */
export function diffConfig(desired: Record<string, string>, live: Record<string, string> | undefined): ConfigChange[] {
  if (!live) return Object.entries(desired).map(([key, to]) => ({ key, from: undefined, to }));
  const keys = new Set([...Object.keys(desired), ...Object.keys(live)]);
  keys.delete('name');
  return [...keys]
    .sort()
    .filter((k) => desired[k] !== live[k])
    .map((key) => ({ key, from: live[key], to: desired[key] }));
}

/** Passwords never reach the terminal. */
export function redact(key: string, value: string | undefined): string | undefined {
  return value !== undefined && /password|secret/i.test(key) ? '******' : value;
}
