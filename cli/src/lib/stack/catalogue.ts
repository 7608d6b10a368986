/**
 * The components of the stack, one entry each: what it is, what it needs, which ports it
 * listens on, how a client sees it ready. Both runtimes (local processes and docker compose),
 * `oms doctor`, `up --only` and `down --only` read this list; adding a component is one
 * entry here plus its module (an infra component's local process under
 * lib/runtime/components/, a service's code under services/ and its compose service).
 */
import type { OmsConfig } from '../../config.js';
import type { LocalProcessFactory } from '../runtime/component.js';
import { connectProcess } from '../runtime/components/connect.js';
import { elasticsearchProcess } from '../runtime/components/elasticsearch.js';
import { kafkaProcess } from '../runtime/components/kafka.js';
import { mariadbProcess } from '../runtime/components/mariadb.js';
import { postgresProcess } from '../runtime/components/postgres.js';
import { redisProcess } from '../runtime/components/redis.js';
import { type Probe, probeConnect, probeElasticsearch, probeHttpHealth, probeKafka, probeMysql, probePostgres, probeRedis } from './probes.js';

export type PortKey = keyof OmsConfig['ports'];

/** Where a component answers: the host and its first (client) port. */
export interface Address {
  host: string;
  port: number;
}

export interface ComponentEntry {
  id: string;
  title: string;
  kind: 'infra' | 'service';
  /** Components that must be ready before this one starts (and that stop only after it). */
  needs: readonly string[];
  /** Runs from the Maven artifacts (Kafka, Connect, Elasticsearch): the local runtime fetches them first. */
  usesArtifacts: boolean;
  /** The `ports.*` settings it listens on; the first is the one clients use. */
  ports: readonly PortKey[];
  /**
   * Stop order beyond `needs`: lower tiers stop first. Services 0, then Connect (its
   * connectors talk to the databases), then Kafka and Elasticsearch, the databases and Redis last.
   */
  stopTier: number;
  /** What clients use: `mysql://…`, `http://…`, `host:port`. */
  url(at: Address): string;
  /** Ready as its clients see it (never throws). */
  probe(at: Address): Promise<Probe>;
  /** How the local runtime runs it (infra; services run as `node <entry>` from their definition). */
  local?: LocalProcessFactory;
}

/** The demo's database users, shared by both runtimes and by everything that talks to the stack. */
export const STACK_CREDENTIALS = {
  mysql: { user: 'oms', password: 'oms', cdcUser: 'debezium', cdcPassword: 'dbz' },
  postgres: { user: 'oms', password: 'oms', database: 'orders_graph' },
} as const;

const http = ({ host, port }: Address) => `http://${host}:${port}`;

function service(id: string, needs: string[], port: PortKey): ComponentEntry {
  return { id, title: `service ${id}`, kind: 'service', needs, usesArtifacts: false, ports: [port], stopTier: 0, url: http, probe: (at) => probeHttpHealth(`${http(at)}/health`) };
}

/** Every component, infra first, in start order. */
export const CATALOGUE: readonly ComponentEntry[] = [
  {
    id: 'mariadb',
    title: 'MariaDB',
    kind: 'infra',
    needs: [],
    usesArtifacts: false,
    ports: ['mysql'],
    stopTier: 3,
    local: mariadbProcess,
    url: ({ host, port }) => `mysql://${host}:${port}`,
    probe: ({ host, port }) => probeMysql({ host, port, user: STACK_CREDENTIALS.mysql.user, password: STACK_CREDENTIALS.mysql.password }),
  },
  {
    id: 'postgres',
    title: 'PostgreSQL',
    kind: 'infra',
    needs: [],
    usesArtifacts: false,
    ports: ['postgres'],
    stopTier: 3,
    local: postgresProcess,
    url: ({ host, port }) => `postgres://${host}:${port}`,
    // the `postgres` database always exists: a server started elsewhere can be checked too
    probe: ({ host, port }) => probePostgres({ host, port, user: STACK_CREDENTIALS.postgres.user, password: STACK_CREDENTIALS.postgres.password, database: 'postgres' }),
  },
  { id: 'redis', title: 'Redis', kind: 'infra', needs: [], usesArtifacts: false, ports: ['redis'], stopTier: 3, local: redisProcess, url: ({ host, port }) => `redis://${host}:${port}`, probe: probeRedis },
  { id: 'elasticsearch', title: 'Elasticsearch', kind: 'infra', needs: [], usesArtifacts: true, ports: ['elasticsearch', 'elasticsearchTransport'], stopTier: 2, local: elasticsearchProcess, url: http, probe: (at) => probeElasticsearch(http(at)) },
  { id: 'kafka', title: 'Kafka', kind: 'infra', needs: [], usesArtifacts: true, ports: ['kafka', 'kafkaController'], stopTier: 2, local: kafkaProcess, url: ({ host, port }) => `${host}:${port}`, probe: ({ host, port }) => probeKafka([`${host}:${port}`]) },
  { id: 'connect', title: 'Kafka Connect', kind: 'infra', needs: ['kafka'], usesArtifacts: true, ports: ['connect'], stopTier: 1, local: connectProcess, url: http, probe: (at) => probeConnect(http(at)) },
  service('customers', ['mariadb'], 'customers'),
  service('products', ['elasticsearch', 'kafka'], 'products'),
  // reservations live in Redis; restocks check the SKU with products; stock changes go to Kafka,
  // and the orders' rows come from it (confirm, release)
  service('inventory', ['redis', 'kafka', 'products'], 'inventory'),
  // orders checks the customer, its addresses and the SKUs, and reserves the stock, on every order
  service('orders', ['mariadb', 'customers', 'products', 'inventory'], 'orders'),
  service('orders-stream', ['kafka'], 'ordersStream'),
  // the read model; shipping's events come to it from Kafka (shipment-events)
  service('orders-graph', ['postgres', 'kafka'], 'ordersGraph'),
  // event store, outbox and projection in PostgreSQL; shipments requested from orders-graph on Kafka
  service('shipping', ['postgres', 'kafka'], 'shipping'),
];

/** Ids of the services (what the pipeline steps wait for). */
export const SERVICE_IDS: readonly string[] = CATALOGUE.filter((c) => c.kind === 'service').map((c) => c.id);

/** The catalogue entry of `id`, if it is one of ours. */
export function entryOf(id: string): ComponentEntry | undefined {
  return CATALOGUE.find((c) => c.id === id);
}

/** The ports `entry` listens on under `config`. */
export function portsOf(entry: ComponentEntry, config: Pick<OmsConfig, 'ports'>): number[] {
  return entry.ports.map((k) => config.ports[k]);
}
