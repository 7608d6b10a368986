import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { endpointsFor } from './endpoints.js';
import { diffConfig, loadConnectorFiles, placeholdersOf, redact, renderConnector, templateValues } from './connectors.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const files = loadConnectorFiles(repoRoot);
const config = (flavor: string) => loadConfig({ repoRoot, cwd: repoRoot, env: { OMS_MYSQL_FLAVOR: flavor }, flags: {} }).config;

describe('connectors/*.json', () => {
  it('when read, then there are the four connectors of the pipeline and each is plain Kafka Connect JSON', () => {
    expect(files.map((f) => f.name)).toEqual(['oms-customers', 'oms-graph', 'oms-orders', 'oms-shipping']);
  });

  it('when rendered for either flavour, then every placeholder is filled', () => {
    for (const flavor of ['mariadb', 'mysql']) {
      const cfg = config(flavor);
      const values = templateValues(cfg, endpointsFor(cfg));
      for (const f of files) {
        for (const p of placeholdersOf(f)) expect(values).toHaveProperty(p);
        const rendered = renderConnector(f, values);
        expect(JSON.stringify(rendered)).not.toMatch(/\{\{/);
      }
    }
  });

  it('when rendered for mysql, then the source connectors use the MySQL class and its TLS spelling', () => {
    const cfg = config('mysql');
    const rendered = renderConnector(files.find((f) => f.name === 'oms-orders')!, templateValues(cfg, endpointsFor(cfg)));
    expect(rendered.config['connector.class']).toBe('io.debezium.connector.mysql.MySqlConnector');
    expect(rendered.config['database.ssl.mode']).toBe('disabled');
  });

  it('when the order connector is read, then order and order_detail get the same key field (co-partitioning)', () => {
    const orders = files.find((f) => f.name === 'oms-orders')!.config;
    expect(orders['message.key.columns']).toBe('orders.order:id;orders.order_detail:order_id');
    expect(orders['transforms.orderKey.renames']).toBe('id:order_id');
    expect(orders['predicates.isOrderTopic.pattern']).toBe('order');
    expect(orders['key.converter.schemas.enable']).toBe('false');
  });

  it('when the sink is read, then it upserts by the record key id into orders', () => {
    const sink = files.find((f) => f.name === 'oms-graph')!.config;
    expect(sink).toMatchObject({ 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'primary.key.fields': 'id', topics: 'orders-graph', 'collection.name.format': 'orders' });
  });
});

describe('diffConfig', () => {
  it('when live equals desired apart from the name Connect adds, then there is no change', () => {
    expect(diffConfig({ a: '1' }, { a: '1', name: 'x' })).toEqual([]);
  });

  it('when values differ, appear or disappear, then each is listed', () => {
    expect(diffConfig({ a: '1', b: '2' }, { a: '0', c: '3' })).toEqual([
      { key: 'a', from: '0', to: '1' },
      { key: 'b', from: undefined, to: '2' },
      { key: 'c', from: '3', to: undefined },
    ]);
  });

  it('when a key is a password, then its value is redacted', () => {
    expect(redact('database.password', 'dbz')).toBe('******');
    expect(redact('database.user', 'debezium')).toBe('debezium');
  });
});
