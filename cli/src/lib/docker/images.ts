/**
 * Which images the docker runtime needs and how each is made: the plan is a pure function
 * of the mode (public bases, or `--offline` from a local Debian base), the versions and the
 * paths of the build inputs. `ensureImages` (build.ts) walks it in order.
 */
import path from 'node:path';
import { SERVICE_IDS } from '../stack/catalogue.js';

/** Images the compose file runs, by compose service (the catalogue's ids), plus the build-only parents (base, jre, node). */
export type ImageId = string;
/** A service of the catalogue: one image each, a target of compose/images/services/Dockerfile. */
export type ServiceName = string;
export const SERVICE_IMAGES: readonly ServiceName[] = SERVICE_IDS;

/** One file or directory placed into a build context. */
export interface ContextEntry {
  /** Absolute path on this machine. */
  from: string;
  /** Path inside the context. */
  to: string;
  /** Large, content-addressed inputs (artifact dirs, the node binary) are fingerprinted by path and size, not read. */
  fingerprint?: 'content' | 'stat';
}

export interface BuiltImage {
  id: ImageId;
  kind: 'build';
  ref: string;
  title: string;
  /** Either explicit entries (a staged context) or the repository root with a file list (services). */
  context: { entries: ContextEntry[] } | { root: string; files: 'services' };
  /** Dockerfile path inside the context. */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** Plan ids of images this one is built FROM (they are built first). */
  parents: ImageId[];
  /** A public image the build pulls as its base (online mode), if any. */
  pullsBase?: string;
}

export interface ImportedImage {
  id: 'base';
  kind: 'import';
  ref: string;
  title: string;
}

export interface PulledImage {
  id: ImageId;
  kind: 'pull';
  ref: string;
  title: string;
}

export type ImageSpec = BuiltImage | ImportedImage | PulledImage;

export interface PlanInput {
  offline: boolean;
  /** The OMS version (root package.json): the service images' tag. */
  version: string;
  versions: { kafka: string; debezium: string; elasticsearch: string };
  /** `compose/` in the repository. */
  composeDir: string;
  repoRoot: string;
  /** Kafka classpath, Debezium plugins and Elasticsearch from the local runtime's cache. */
  artifacts: { libsDir: string; pluginsDir: string; elasticsearchHome: string };
  /** log4j2 config shared with the local runtime (cli/runtime/log4j2.properties). */
  log4jConfig: string;
  /** Offline only: the Node binary and npm copied into oms-node. */
  node: { binary: string; npmDir: string; major: number };
  /** OMS_*_IMAGE overrides from the environment. */
  env: NodeJS.ProcessEnv;
  /** CA certificates the host added (PEM), for the npm ci inside the services build; '' when none. */
  extraCaPem?: string;
}

/** Public images of the default compose file (what a machine with a registry runs). */
export function publicImages(v: PlanInput['versions'], env: NodeJS.ProcessEnv = {}): Record<'kafka' | 'elasticsearch' | 'mariadb' | 'postgres' | 'redis' | 'node', string> {
  return {
    kafka: env.OMS_KAFKA_IMAGE || `apache/kafka:${v.kafka}`,
    elasticsearch: env.OMS_ELASTICSEARCH_IMAGE || `docker.elastic.co/elasticsearch/elasticsearch:${v.elasticsearch}`,
    mariadb: env.OMS_MARIADB_IMAGE || 'mariadb:10.11',
    postgres: env.OMS_POSTGRES_IMAGE || 'postgres:15',
    // the major.minor Debian bookworm packages, which the offline image and the local runtime run
    redis: env.OMS_REDIS_IMAGE || 'redis:7.0',
    node: env.OMS_NODE_IMAGE || 'node:20-bookworm-slim',
  };
}

/** Names of the images `oms build --offline` makes (the offline compose override runs them). */
export function offlineImages(v: PlanInput['versions'], nodeMajor: number, env: NodeJS.ProcessEnv = {}): Record<'base' | 'jre' | 'kafka' | 'elasticsearch' | 'mariadb' | 'postgres' | 'redis' | 'node', string> {
  return {
    base: 'oms-base:bookworm',
    jre: 'oms-jre:17',
    kafka: env.OMS_KAFKA_IMAGE || `oms-kafka:${v.kafka}`,
    elasticsearch: env.OMS_ELASTICSEARCH_IMAGE || `oms-elasticsearch:${v.elasticsearch}`,
    mariadb: env.OMS_MARIADB_IMAGE || 'oms-mariadb:10.11',
    postgres: env.OMS_POSTGRES_IMAGE || 'oms-postgres:15',
    redis: env.OMS_REDIS_IMAGE || 'oms-redis:7.0',
    node: env.OMS_NODE_IMAGE || `oms-node:${nodeMajor}`,
  };
}

/** The Connect image: always ours (the Kafka image plus Debezium), in both modes. */
export function connectImage(v: PlanInput['versions'], env: NodeJS.ProcessEnv = {}): string {
  return env.OMS_CONNECT_IMAGE || `oms-connect:${v.kafka}-debezium-${v.debezium}`;
}

export function serviceImage(name: ServiceName, version: string): string {
  return `oms-${name}:${version}`;
}

/**
 * Every image, parents before children. Offline: base (imported) → jre → kafka → connect,
 * elasticsearch; mariadb, postgres, redis, node → the services. Online: the public infra
 * images are pulled; Connect is built on the public Kafka image and the services on the
 * public Node image.
 */
export function imagePlan(p: PlanInput): ImageSpec[] {
  return p.offline ? offlinePlan(p, planParts(p)) : publicPlan(p, planParts(p));
}

/** What both plans share: build-context entries and the service images. */
function planParts(p: PlanInput) {
  const images = (dir: string) => path.join(p.composeDir, 'images', dir);
  const file = (dir: string, name: string, to = name): ContextEntry => ({ from: path.join(images(dir), name), to, fingerprint: 'content' });
  const common = file('common', 'env-to-properties');
  const log4j: ContextEntry = { from: p.log4jConfig, to: 'log4j2.properties', fingerprint: 'content' };
  const connectEntries: ContextEntry[] = [file('connect', 'Dockerfile'), file('connect', 'connect-entrypoint'), file('connect', 'oms-connect-health'), common, log4j, { from: p.artifacts.pluginsDir, to: 'plugins', fingerprint: 'stat' }];
  const services = (nodeImage: string, parents: ImageId[], pullsBase?: string): BuiltImage[] =>
    SERVICE_IMAGES.map((name) => ({
      id: name,
      kind: 'build',
      ref: serviceImage(name, p.version),
      title: `${name} service`,
      context: { root: p.repoRoot, files: 'services' },
      dockerfile: 'compose/images/services/Dockerfile',
      target: name,
      buildArgs: { NODE_IMAGE: nodeImage, ...(p.extraCaPem ? { EXTRA_CA_PEM: p.extraCaPem } : {}) },
      parents,
      ...(pullsBase ? { pullsBase } : {}),
    }));
  return { file, common, log4j, connectEntries, services };
}
type PlanParts = ReturnType<typeof planParts>;

/** Online: the public infra images are pulled; Connect is built on the public Kafka image, the services on the public Node image. */
function publicPlan(p: PlanInput, { connectEntries, services }: PlanParts): ImageSpec[] {
  const pub = publicImages(p.versions, p.env);
  return [
    { id: 'mariadb', kind: 'pull', ref: pub.mariadb, title: 'MariaDB' },
    { id: 'postgres', kind: 'pull', ref: pub.postgres, title: 'PostgreSQL' },
    { id: 'redis', kind: 'pull', ref: pub.redis, title: 'Redis' },
    { id: 'elasticsearch', kind: 'pull', ref: pub.elasticsearch, title: 'Elasticsearch' },
    { id: 'kafka', kind: 'pull', ref: pub.kafka, title: 'Kafka' },
    {
      id: 'connect',
      kind: 'build',
      ref: connectImage(p.versions, p.env),
      title: 'Kafka Connect + Debezium',
      context: { entries: connectEntries },
      dockerfile: 'Dockerfile',
      // apache/kafka runs as appuser (uid 1000)
      buildArgs: { KAFKA_IMAGE: pub.kafka, RUN_AS: '1000' },
      parents: ['kafka'],
    },
    ...services(pub.node, [], pub.node),
  ];
}

/** Offline: everything from the imported Debian base, parents first. */
function offlinePlan(p: PlanInput, { file, common, log4j, connectEntries, services }: PlanParts): ImageSpec[] {
  const off = offlineImages(p.versions, p.node.major, p.env);
  const onBase = (id: ImageId, ref: string, title: string, entries: ContextEntry[]): BuiltImage => ({ id, kind: 'build', ref, title, context: { entries }, dockerfile: 'Dockerfile', buildArgs: { BASE_IMAGE: off.base }, parents: ['base'] });
  const onJre = (id: ImageId, ref: string, title: string, entries: ContextEntry[]): BuiltImage => ({ id, kind: 'build', ref, title, context: { entries }, dockerfile: 'Dockerfile', buildArgs: { JRE_IMAGE: off.jre }, parents: ['jre'] });
  return [
    { id: 'base', kind: 'import', ref: off.base, title: 'Debian bookworm base (debootstrap)' },
    onBase('jre', off.jre, 'Java 17 (apt)', [file('jre', 'Dockerfile')]),
    onJre('kafka', off.kafka, `Kafka ${p.versions.kafka}`, [file('kafka', 'Dockerfile'), file('kafka', 'kafka-entrypoint'), common, log4j, { from: p.artifacts.libsDir, to: 'libs', fingerprint: 'stat' }]),
    {
      id: 'connect',
      kind: 'build',
      ref: connectImage(p.versions, p.env),
      title: `Kafka Connect + Debezium ${p.versions.debezium}`,
      context: { entries: connectEntries },
      dockerfile: 'Dockerfile',
      buildArgs: { KAFKA_IMAGE: off.kafka, RUN_AS: 'kafka' },
      parents: ['kafka'],
    },
    onJre('elasticsearch', off.elasticsearch, `Elasticsearch ${p.versions.elasticsearch}`, [file('elasticsearch', 'Dockerfile'), file('elasticsearch', 'es-entrypoint'), { from: p.artifacts.elasticsearchHome, to: 'elasticsearch', fingerprint: 'stat' }]),
    onBase('mariadb', off.mariadb, 'MariaDB 10.11 (apt)', [file('mariadb', 'Dockerfile'), file('mariadb', 'mariadb-entrypoint')]),
    onBase('postgres', off.postgres, 'PostgreSQL 15 (apt)', [file('postgres', 'Dockerfile'), file('postgres', 'postgres-entrypoint')]),
    onBase('redis', off.redis, 'Redis 7.0 (apt)', [file('redis', 'Dockerfile')]),
    onBase('node', off.node, `Node ${p.node.major} (the host's binary: Debian bookworm has Node 18 only)`, [file('node', 'Dockerfile'), { from: p.node.binary, to: 'node', fingerprint: 'stat' }, { from: p.node.npmDir, to: 'npm', fingerprint: 'stat' }]),
    ...services(off.node, ['node']),
  ];
}

/** The files of the services' build context, relative to the repository root. */
export function isServiceContextFile(rel: string): boolean {
  const parts = rel.split('/');
  if (parts.some((p) => p === 'node_modules' || p === 'dist' || p.endsWith('.tsbuildinfo'))) return false;
  if (parts.length === 1) return ['package.json', 'package-lock.json', 'tsconfig.base.json'].includes(rel);
  if (rel === 'cli/package.json' || rel === 'compose/images/services/Dockerfile') return true;
  return parts[0] === 'lib' || parts[0] === 'services';
}
