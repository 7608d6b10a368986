import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { shipmentOutbox } from './data/shipment-codec.js';

/**
 * connectors/oms-shipping.json (the repository's, submitted by `oms up` with the others) is the
 * Debezium connector that publishes the outbox; this keeps it honest against the service it
 * reads from.
 */
const file = JSON.parse(readFileSync(new URL('../../../connectors/oms-shipping.json', import.meta.url), 'utf8')) as {
  name: string;
  config: Record<string, unknown>;
};
const config = file.config;

describe('connectors/oms-shipping.json', () => {
  it('when read, then it is plain Kafka Connect JSON: a name and string values only', () => {
    expect(file.name).toBe('oms-shipping');
    expect(Object.keys(file)).toEqual(['name', 'config']);
    for (const [key, value] of Object.entries(config)) expect(typeof value, key).toBe('string');
    expect(config['connector.class']).toBe('io.debezium.connector.postgresql.PostgresConnector');
  });

  it('when its placeholders are listed, then they are the PostgreSQL ones the CLI already fills', () => {
    const placeholders = new Set(Object.values(config).flatMap((v) => [...String(v).matchAll(/\{\{([a-zA-Z]+)\}\}/g)].map((m) => m[1])));
    expect([...placeholders].sort()).toEqual(['pgHost', 'pgPassword', 'pgPort', 'pgUser']);
  });

  it("when compared with the service, then it reads the service's database and outbox table with the router's default columns", () => {
    expect(config['database.dbname']).toBe(loadConfig({}).PG_DATABASE);
    expect(config['table.include.list']).toBe('public\\.outbox');
    // No table.field.* overrides: the outbox table has the router's default column names.
    expect(Object.keys(config).filter((k) => k.startsWith('transforms.outbox.table.field.'))).toEqual([]);
    expect(config['transforms.outbox.table.fields.additional.placement']).toBe('type:header:eventType');
  });

  it('when records are routed, then every outbox row goes to shipment-events keyed {"order_id": …} like topic order', () => {
    expect(config.transforms).toBe('outbox,orderKey');
    expect(config['transforms.outbox.type']).toBe('io.debezium.transforms.outbox.EventRouter');
    // A constant replacement: the aggregatetype value does not matter for the topic.
    expect(config['transforms.outbox.route.topic.replacement']).toBe('shipment-events');
    expect(shipmentOutbox.aggregateType).toBe('shipment');
    expect(config['transforms.orderKey.type']).toBe('org.apache.kafka.connect.transforms.HoistField$Key');
    expect(config['transforms.orderKey.field']).toBe('order_id');
    expect(config['key.converter.schemas.enable']).toBe('false');
    expect(config['transforms.outbox.table.expand.json.payload']).toBe('true');
  });

  it('when rows written before the connector existed are considered, then the first start snapshots them', () => {
    expect(config['snapshot.mode']).toBe('initial');
    expect(config['plugin.name']).toBe('pgoutput');
    expect(config['publication.autocreate.mode']).toBe('filtered');
  });
});
