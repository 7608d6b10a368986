import type { Context } from '../../context.js';
import { ConnectClient } from '../../lib/connect.js';
import { loadConnectorFiles, renderConnector, templateValues, type ConnectorFile } from '../../lib/connectors.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { UsageError } from '../../errors.js';
import { connectorHosts, type RuntimeKind } from '../../lib/stack.js';

/**
 * The connectors as this runtime needs them, optionally narrowed to `names`. Connect runs
 * them, so under the docker runtime they reach the databases and Kafka by in-network names.
 */
export function desiredConnectors(ctx: Context, names: string[] = [], runtime: RuntimeKind = 'local'): ConnectorFile[] {
  const { endpoints, hosts } = connectorHosts(runtime, endpointsFor(ctx.loaded.config));
  const values = templateValues(ctx.loaded.config, endpoints, hosts);
  const all = loadConnectorFiles(ctx.repoRoot).map((f) => renderConnector(f, values));
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown connector: ${unknown.join(', ')}`, { hint: `known: ${all.map((c) => c.name).join(', ')}` });
  }
  return names.length > 0 ? all.filter((c) => names.includes(c.name)) : all;
}

export function connectClient(ctx: Context): ConnectClient {
  return new ConnectClient(endpointsFor(ctx.loaded.config).connectUrl);
}
