/**
 * The docker runtime's components: the catalogue's, expanded by the topology like the local
 * runtime's (brokers `kafka-2`, `kafka-3`, orders-stream instances `orders-stream-2` …, with
 * the same host ports: lib/stack/topology.ts). Each is one compose service of
 * compose/docker-compose.yml, by the same name.
 */
import type { OmsConfig } from '../../config.js';
import { type Address, CATALOGUE, type ComponentEntry } from '../stack/catalogue.js';
import { brokerPorts, expandTopology, ordersStreamPort, type Topology } from '../stack/topology.js';
import { PORT_VARIABLES } from './compose.js';

export interface DockerComponent extends ComponentEntry {
  /** Where it answers on the host: its first published port. */
  at: Address;
  /** The host ports its compose service publishes (checked free before it starts). */
  published: number[];
}

/** Every component of `topology`, in start order, answering on `host`. */
export function dockerComponents(config: Pick<OmsConfig, 'ports'>, topology: Topology, host: string): DockerComponent[] {
  const base = CATALOGUE.map(
    (e): DockerComponent => ({ ...e, at: { host, port: config.ports[e.ports[0]!] }, published: e.ports.filter((k) => PORT_VARIABLES[k] !== null).map((k) => config.ports[k]) }),
  );
  return expandTopology(base, topology, (c, id, n): DockerComponent => {
    if (c.id === 'kafka') {
      const ports = brokerPorts(config.ports, n);
      return { ...c, id, title: `Kafka broker ${n}`, at: { host, port: ports.client }, published: [ports.client, ports.controller] };
    }
    const port = ordersStreamPort(config.ports.ordersStream, n);
    return { ...c, id, title: `service ${id}`, at: { host, port }, published: [port] };
  });
}
