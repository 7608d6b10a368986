import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_VERSIONS } from '../runtime/index.js';
import { type BuiltImage, type ImageSpec, imagePlan, isServiceContextFile, type PlanInput, SERVICE_IMAGES } from './images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function input(offline: boolean, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    offline,
    version: '0.1.0',
    versions: ARTIFACT_VERSIONS,
    composeDir: path.join(root, 'compose'),
    repoRoot: root,
    artifacts: { libsDir: '/cache/libs', pluginsDir: '/cache/plugins', elasticsearchHome: '/cache/elasticsearch' },
    log4jConfig: path.join(root, 'cli', 'runtime', 'log4j2.properties'),
    node: { binary: '/usr/bin/node', npmDir: '/usr/lib/node_modules/npm', major: 20 },
    env: {},
    ...extra,
  };
}

const built = (plan: ImageSpec[]) => plan.filter((i): i is BuiltImage => i.kind === 'build');
const byId = (plan: ImageSpec[], id: string) => plan.find((i) => i.id === id)!;

describe('imagePlan', () => {
  it('when offline, then every image is made here, parents first, from the imported Debian base', () => {
    const plan = imagePlan(input(true));
    expect(plan.map((i) => `${i.id}=${i.ref}`)).toEqual([
      'base=oms-base:bookworm',
      'jre=oms-jre:17',
      'kafka=oms-kafka:4.3.1',
      'connect=oms-connect:4.3.1-debezium-3.5.0.Final',
      'elasticsearch=oms-elasticsearch:8.19.4',
      'mariadb=oms-mariadb:10.11',
      'postgres=oms-postgres:15',
      'redis=oms-redis:7.0',
      'node=oms-node:20',
      'customers=oms-customers:0.1.0',
      'products=oms-products:0.1.0',
      'inventory=oms-inventory:0.1.0',
      'orders=oms-orders:0.1.0',
      'orders-stream=oms-orders-stream:0.1.0',
      'orders-graph=oms-orders-graph:0.1.0',
      'shipping=oms-shipping:0.1.0',
    ]);
    expect(plan.some((i) => i.kind === 'pull')).toBe(false);
    const seen = new Set<string>();
    for (const image of plan) {
      if (image.kind === 'build') for (const p of image.parents) expect(seen.has(p), `${image.id} after ${p}`).toBe(true);
      seen.add(image.id);
    }
  });

  it('when offline, then each build arg names the parent image the Dockerfile builds FROM', () => {
    const plan = imagePlan(input(true));
    expect((byId(plan, 'jre') as BuiltImage).buildArgs).toEqual({ BASE_IMAGE: 'oms-base:bookworm' });
    expect((byId(plan, 'kafka') as BuiltImage).buildArgs).toEqual({ JRE_IMAGE: 'oms-jre:17' });
    expect((byId(plan, 'connect') as BuiltImage).buildArgs).toMatchObject({ KAFKA_IMAGE: 'oms-kafka:4.3.1' });
    expect((byId(plan, 'customers') as BuiltImage).buildArgs).toEqual({ NODE_IMAGE: 'oms-node:20' });
  });

  it('when offline, then the cached artifacts and the host Node go into the contexts', () => {
    const plan = imagePlan(input(true));
    const entries = (id: string) => {
      const c = (byId(plan, id) as BuiltImage).context;
      return 'entries' in c ? Object.fromEntries(c.entries.map((e) => [e.to, e.from])) : {};
    };
    expect(entries('kafka')).toMatchObject({ libs: '/cache/libs', 'log4j2.properties': expect.stringContaining('log4j2.properties') });
    expect(entries('connect')).toMatchObject({ plugins: '/cache/plugins' });
    expect(entries('elasticsearch')).toMatchObject({ elasticsearch: '/cache/elasticsearch' });
    expect(entries('node')).toMatchObject({ node: '/usr/bin/node', npm: '/usr/lib/node_modules/npm' });
  });

  it('when a registry is used, then infra images are pulled and only Connect and the services are built, on public bases', () => {
    const plan = imagePlan(input(false));
    expect(plan.filter((i) => i.kind === 'pull').map((i) => i.ref)).toEqual(['mariadb:10.11', 'postgres:15', 'redis:7.0', 'docker.elastic.co/elasticsearch/elasticsearch:8.19.4', 'apache/kafka:4.3.1']);
    expect(built(plan).map((i) => i.id)).toEqual(['connect', ...SERVICE_IMAGES]);
    expect((byId(plan, 'connect') as BuiltImage).buildArgs).toEqual({ KAFKA_IMAGE: 'apache/kafka:4.3.1', RUN_AS: '1000' });
    expect((byId(plan, 'orders') as BuiltImage).buildArgs).toEqual({ NODE_IMAGE: 'node:20-bookworm-slim' });
  });

  it('when OMS_*_IMAGE is set, then that name is used (and Connect builds on the chosen Kafka image)', () => {
    const plan = imagePlan(input(false, { env: { OMS_KAFKA_IMAGE: 'my/kafka:1', OMS_CONNECT_IMAGE: 'my/connect:1' } }));
    expect(byId(plan, 'kafka').ref).toBe('my/kafka:1');
    expect(byId(plan, 'connect').ref).toBe('my/connect:1');
    expect((byId(plan, 'connect') as BuiltImage).buildArgs.KAFKA_IMAGE).toBe('my/kafka:1');
  });

  it('when the host added CA certificates, then only the services build (npm ci) receives them', () => {
    const plan = imagePlan(input(true, { extraCaPem: '-----BEGIN CERTIFICATE-----' }));
    for (const s of SERVICE_IMAGES) expect((byId(plan, s) as BuiltImage).buildArgs.EXTRA_CA_PEM).toBe('-----BEGIN CERTIFICATE-----');
    expect((byId(plan, 'kafka') as BuiltImage).buildArgs.EXTRA_CA_PEM).toBeUndefined();
  });

  it('when the services build, then they share one Dockerfile, one target each, declared in it', () => {
    const services = built(imagePlan(input(true))).filter((i) => i.target);
    expect(services.map((s) => s.target)).toEqual([...SERVICE_IMAGES]);
    expect(new Set(services.map((s) => s.dockerfile))).toEqual(new Set(['compose/images/services/Dockerfile']));
    const dockerfile = readFileSync(path.join(root, 'compose/images/services/Dockerfile'), 'utf8');
    for (const s of SERVICE_IMAGES) expect(dockerfile).toMatch(new RegExp(`^FROM runtime AS ${s}$`, 'm'));
    expect(dockerfile.match(/npm ci --/g)).toHaveLength(1);
  });

  it('when a context lists a file of compose/images, then it exists and every ARG the plan passes is declared', () => {
    for (const image of built(imagePlan(input(true)))) {
      if (!('entries' in image.context)) continue;
      for (const e of image.context.entries.filter((x) => x.fingerprint === 'content')) expect(existsSync(e.from), e.from).toBe(true);
      const dockerfile = readFileSync(image.context.entries.find((e) => e.to === 'Dockerfile')!.from, 'utf8');
      for (const arg of Object.keys(image.buildArgs)) expect(dockerfile, `${image.id}: ARG ${arg}`).toMatch(new RegExp(`^ARG ${arg}[=\\s]`, 'm'));
    }
  });
});

describe('isServiceContextFile', () => {
  it('when a path is a source or package file of a workspace, then it is sent; build output and modules are not', () => {
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'cli/package.json', 'lib/service-kit/src/index.ts', 'services/orders/package.json', 'compose/images/services/Dockerfile']) expect(isServiceContextFile(f), f).toBe(true);
    for (const f of ['README.md', 'cli/src/index.ts', 'services/orders/dist/server.js', 'services/orders/node_modules/x/index.js', 'services/orders/tsconfig.tsbuildinfo', '.oms/local/run/kafka.pid']) expect(isServiceContextFile(f), f).toBe(false);
  });
});
