import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../config.js';
import { ARTIFACT_VERSIONS, commonServiceEnv, defaultLocalSettings, localEndpoints } from '../runtime/index.js';
import { mariadbUsersSql, redisArgs } from '../runtime/templates.js';
import { composeEnv, composeFiles, PORT_VARIABLES, publishedPorts } from './compose.js';
import { connectImage, offlineImages, publicImages, serviceImage } from './images.js';
import { CATALOGUE } from '../stack/catalogue.js';
import { omsVersion } from './runtime.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const text = readFileSync(path.join(root, 'compose', 'docker-compose.yml'), 'utf8');
const offlineText = readFileSync(path.join(root, 'compose', 'docker-compose.offline.yml'), 'utf8');

interface ComposeService {
  image: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}
const file = parse(text, { merge: true }) as { services: Record<string, ComposeService>; networks: Record<string, unknown>; volumes: Record<string, unknown> };
const offline = parse(offlineText) as { services: Record<string, { image: string }> };
const defaults = loadConfig({ repoRoot: root, cwd: root, env: {}, flags: {} }).config;

/** `${NAME:-default}` occurrences of the compose file. */
function variables(source: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const m of source.matchAll(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g)) {
    const set = found.get(m[1]!) ?? new Set<string>();
    set.add(m[2] ?? '');
    found.set(m[1]!, set);
  }
  return found;
}

describe('compose/docker-compose.yml', () => {
  it('when parsed, then it has exactly the components the docker runtime drives, each with a healthcheck on the one network', () => {
    expect(Object.keys(file.services).sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
    for (const [name, svc] of Object.entries(file.services)) {
      expect(svc.healthcheck?.test, name).toBeDefined();
      expect(svc.networks, name).toEqual(['oms']);
    }
    expect(Object.keys(file.networks)).toEqual(['oms']);
  });

  it('when a component needs another, then compose waits for it to be healthy (depends_on mirrors the runtime graph)', () => {
    for (const c of CATALOGUE) {
      const deps = file.services[c.id]!.depends_on ?? {};
      expect(Object.keys(deps).sort(), c.id).toEqual([...c.needs].sort());
      for (const d of Object.values(deps)) expect(d.condition).toBe('service_healthy');
    }
  });

  it('when ports are published, then each uses its OMS_PORT_* variable with the default of the CLI, on 127.0.0.1 unless overridden', () => {
    const vars = variables(text);
    for (const [key, variable] of Object.entries(PORT_VARIABLES)) {
      if (!variable) continue;
      expect(vars.get(variable), variable).toEqual(new Set([String(defaults.ports[key as keyof typeof defaults.ports])]));
    }
    const published = Object.values(file.services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBe(14);
    for (const p of published) expect(p).toMatch(/^\$\{OMS_BIND_ADDRESS:-127\.0\.0\.1\}:\$\{OMS_PORT_[A-Z_]+:-\d+\}:\d+$/);
  });

  it('when the CLI runs compose, then every variable the file reads for ports and versions comes from the resolved config', () => {
    const config = loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_KAFKA: '49092', OMS_PORT_CUSTOMERS: '43001' }, flags: {} }).config;
    const env = composeEnv({ config, version: '9.9.9', images: { connect: 'oms-connect:x' } });
    expect(env).toMatchObject({ OMS_PORT_KAFKA: '49092', OMS_PORT_CUSTOMERS: '43001', OMS_PORT_MYSQL: '3306', OMS_VERSION: '9.9.9', OMS_CONNECT_IMAGE: 'oms-connect:x' });
    const portVars = [...variables(text).keys()].filter((v) => v.startsWith('OMS_PORT_'));
    for (const v of portVars) expect(env[v], v).toBeDefined();
    expect(publishedPorts(config).kafka).toEqual([49092, defaults.ports.kafkaController]);
  });

  it('when nothing overrides them, then the image names match the image plan (public, and offline through the override)', () => {
    const version = omsVersion(root);
    const pub = publicImages(ARTIFACT_VERSIONS);
    const off = offlineImages(ARTIFACT_VERSIONS, 20);
    const image = (s: string) => file.services[s]!.image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    expect(image('kafka')).toBe(pub.kafka);
    expect(image('mariadb')).toBe(pub.mariadb);
    expect(image('postgres')).toBe(pub.postgres);
    expect(image('redis')).toBe(pub.redis);
    expect(image('elasticsearch')).toBe(pub.elasticsearch);
    expect(image('connect')).toBe(connectImage(ARTIFACT_VERSIONS));
    for (const s of ['customers', 'products', 'orders', 'orders-stream', 'orders-graph', 'inventory'] as const) expect(image(s)).toBe(serviceImage(s, version));
    const offImage = (s: string) => offline.services[s]!.image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    expect(Object.keys(offline.services).sort()).toEqual(['elasticsearch', 'kafka', 'mariadb', 'postgres', 'redis']);
    expect(offImage('kafka')).toBe(off.kafka);
    expect(offImage('mariadb')).toBe(off.mariadb);
    expect(offImage('postgres')).toBe(off.postgres);
    expect(offImage('redis')).toBe(off.redis);
    expect(offImage('elasticsearch')).toBe(off.elasticsearch);
  });

  it('when a service starts, then it gets every variable the local runtime gives services, with in-network hosts', () => {
    const settings = defaultLocalSettings(root);
    const service = settings.services[0]!;
    const local = commonServiceEnv({ endpoints: localEndpoints(settings), service, settings });
    for (const s of ['customers', 'products', 'orders', 'orders-stream', 'orders-graph', 'inventory']) {
      const env = file.services[s]!.environment!;
      expect(Object.keys(env).filter((k) => k in local).sort(), s).toEqual(Object.keys(local).sort());
      expect(env).toMatchObject({ HOST: '0.0.0.0', MYSQL_HOST: 'mariadb', PG_HOST: 'postgres', KAFKA_BROKERS: 'kafka:29092', ES_URL: 'http://elasticsearch:9200', REDIS_URL: 'redis://redis:6379' });
    }
    expect(file.services['orders-stream']!.environment).toMatchObject({ INSTANCE_ID: 'docker-1' });
  });

  it('when data must survive `oms down`, then every stateful component keeps it in a named volume', () => {
    expect(Object.keys(file.volumes).sort()).toEqual(['elasticsearch-data', 'kafka-data', 'mariadb-data', 'postgres-data', 'redis-data']);
    for (const [svc, vol] of [['mariadb', 'mariadb-data'], ['postgres', 'postgres-data'], ['elasticsearch', 'elasticsearch-data'], ['kafka', 'kafka-data'], ['redis', 'redis-data']]) {
      expect(file.services[svc!]!.volumes!.some((v) => v.startsWith(`${vol!}:`)), svc).toBe(true);
    }
  });

  it('when Redis starts, then it runs with the local runtime\'s persistence flags (plus the in-network listener)', () => {
    const command = (file.services.redis as ComposeService & { command: string[] }).command;
    expect(command[0]).toBe('redis-server');
    const flags = (args: string[]) => Object.fromEntries(args.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), args[i + 1]]] : [])));
    const local = flags(redisArgs({ host: '127.0.0.1', port: 6379, dataDir: '/data' }));
    const { bind: _bind, logfile: _logfile, daemonize: _daemonize, ...persistence } = local;
    expect(flags(command.slice(1))).toMatchObject({ ...persistence, dir: '/data', bind: '0.0.0.0', 'protected-mode': 'no' });
  });

  it('when MariaDB initializes, then it creates the same users and grants as the local runtime', () => {
    const sql = readFileSync(path.join(root, 'compose', 'mariadb', 'init', '10-users.sql'), 'utf8');
    const statements = sql.split('\n').filter((l) => l && !l.startsWith('--')).join('\n');
    expect(statements).toBe(mariadbUsersSql({ user: 'oms', password: 'oms', cdcUser: 'debezium', cdcPassword: 'dbz' }));
  });

  it('when the compose files read a variable, then docs/docker.md documents it', () => {
    const doc = readFileSync(path.join(root, 'docs', 'docker.md'), 'utf8');
    for (const v of new Set([...variables(text).keys(), ...variables(offlineText).keys()])) expect(doc, v).toContain(v.startsWith('OMS_PORT_') ? 'OMS_PORT_' : v);
  });

  it('when offline, then the override file comes after the main file', () => {
    expect(composeFiles('/r', false)).toEqual(['/r/compose/docker-compose.yml']);
    expect(composeFiles('/r', true)).toEqual(['/r/compose/docker-compose.yml', '/r/compose/docker-compose.offline.yml']);
  });
});
