/** Text views more than one command prints (each command's own views live in its file). */
import type { Endpoints } from './lib/endpoints.js';

/** Where everything answers, after `up` and `reset` (`console: false` when it was not started). */
export function renderEndpoints(e: Endpoints, opts: { console?: boolean } = {}): string {
  return [
    'Endpoints:',
    `  console             ${opts.console === false ? '(not started: --no-console)' : `${e.console}   (\`oms open\` opens it)`}`,
    `  customers REST      ${e.services.customers}/customers`,
    `  products REST       ${e.services.products}/products?text=kettle`,
    `  orders REST         ${e.services.orders}/orders`,
    `  orders GraphQL      ${e.services.ordersGraph}/graphql`,
    `  inventory REST      ${e.services.inventory}/inventory/SKU-00001`,
    `  shipping REST       ${e.services.shipping}/shipments?status=requested`,
    `  orders-stream       ${e.services.ordersStream}/metrics`,
    `  Kafka               ${e.kafkaBrokers.join(',')}`,
    `  Kafka Connect       ${e.connectUrl}/connectors`,
    `  Elasticsearch       ${e.elasticsearchUrl}`,
    `  MariaDB             mysql://${e.mysql.user}:${e.mysql.password}@${e.mysql.host}:${e.mysql.port}`,
    `  PostgreSQL          postgres://${e.postgres.user}:${e.postgres.password}@${e.postgres.host}:${e.postgres.port}/${e.postgres.database}`,
    `  Redis               ${e.redisUrl}`,
    '',
    'Next: `oms smoke` follows an order end to end; `oms trace <order id>` shows where one is; `oms status` shows everything.',
  ].join('\n');
}
