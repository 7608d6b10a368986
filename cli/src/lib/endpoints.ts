import type { OmsConfig } from '../config.js';
import { STACK_CREDENTIALS } from './stack/catalogue.js';
import { kafkaBootstrap, topologyOf } from './stack/topology.js';

/**
 * Where each part of the stack answers, from the host's point of view. Both runtimes
 * publish the same ports on 127.0.0.1, so every step after `up` only needs this.
 */
export interface Endpoints {
  kafkaBrokers: string[];
  connectUrl: string;
  elasticsearchUrl: string;
  mysql: { host: string; port: number; user: string; password: string; cdcUser: string; cdcPassword: string };
  postgres: { host: string; port: number; user: string; password: string; database: string };
  redisUrl: string;
  services: { customers: string; products: string; orders: string; ordersStream: string; inventory: string; shipping: string; ordersGraph: string };
  /** The console web app. */
  console: string;
}

/**
 * The endpoints of the stack `config` addresses. Kafka's bootstrap list names every broker of
 * the topology (by default the one the state dir remembers from `oms up`), so a client
 * carries on when any one of three is down.
 */
export function endpointsFor(config: OmsConfig, topology: { brokers: number } = topologyOf(config.stateDir)): Endpoints {
  const host = '127.0.0.1';
  const url = (port: number) => `http://${host}:${port}`;
  return {
    kafkaBrokers: kafkaBootstrap(host, config.ports, topology),
    connectUrl: url(config.ports.connect),
    elasticsearchUrl: url(config.ports.elasticsearch),
    mysql: { host, port: config.ports.mysql, ...STACK_CREDENTIALS.mysql },
    postgres: { host, port: config.ports.postgres, ...STACK_CREDENTIALS.postgres },
    redisUrl: `redis://${host}:${config.ports.redis}`,
    services: {
      customers: url(config.ports.customers),
      products: url(config.ports.products),
      orders: url(config.ports.orders),
      ordersStream: url(config.ports.ordersStream),
      inventory: url(config.ports.inventory),
      shipping: url(config.ports.shipping),
      ordersGraph: url(config.ports.ordersGraph),
    },
    console: url(config.ports.console),
  };
}
