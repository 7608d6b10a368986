/**
 * Listing and restarting connectors against the real Kafka Connect of the test
 * infrastructure, with a connector of this test's own: a JDBC sink on a topic of its own
 * that fails on its first record (a value without the schema its converter demands).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { testOpsContext } from '../../../test/ops-context.js';
import { NotFoundError } from '../errors.js';
import { ConnectClient } from '../lib/connect.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { pollUntil } from '../lib/retry.js';
import { listConnectors, restartConnector, type ConnectorView } from './connectors.js';

const infra = testInfra();
const run = randomUUID().slice(0, 8);
const NAME = `oms-test-failing-sink-${run}`;
const TOPIC = `oms-test-connectors-${run}`;
const stateDir = mkdtempSync(join(tmpdir(), 'oms-connectors-'));
const ctx = testOpsContext({ stateDir });
const connect = new ConnectClient(infra.connectUrl);

async function failedView(): Promise<ConnectorView> {
  return pollUntil(
    async () => {
      const view = (await listConnectors(ctx)).find((c) => c.name === NAME);
      return view?.tasks.some((t) => t.state === 'FAILED') ? view : undefined;
    },
    { timeoutMs: 60_000, minDelayMs: 500, onTimeout: () => new Error(`${NAME} did not fail within 60 s`) },
  );
}

beforeAll(async () => {
  await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }] }));
  const producer = kafkaClient(infra.kafkaBrokers).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: [{ key: '{"id":"x"}', value: '{"no":"schema"}' }] });
  await producer.disconnect();
  await connect.putConfig(NAME, {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: TOPIC,
    'connection.url': `jdbc:postgresql://${infra.postgres.host}:${infra.postgres.port}/postgres`,
    'connection.username': infra.postgres.user,
    'connection.password': infra.postgres.password,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  });
}, 60_000);

afterAll(async () => {
  await connect.delete(NAME).catch(() => undefined);
  await withAdmin(infra.kafkaBrokers, (admin) => admin.deleteTopics({ topics: [TOPIC] })).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('connectors', () => {
  it('when a task fails, then the list shows it FAILED with its trace, after our own connectors', async () => {
    const view = await failedView();
    expect(view.ours).toBe(false);
    expect(view.type).toBe('sink');
    expect(view.healthy).toBe(false);
    expect(view.tasks[0]!.trace).toMatch(/schema/i);
    const all = await listConnectors(ctx);
    expect(all.slice(0, 3).map((c) => c.name)).toEqual(['oms-customers', 'oms-graph', 'oms-orders']);
  }, 90_000);

  it('when a failed connector is restarted, then Connect takes the restart and its state comes back', async () => {
    await failedView();
    const after = await restartConnector(ctx, NAME, true);
    expect(after.name).toBe(NAME);
    // Only the failed task restarts; the running connector is left alone.
    expect(after.state).toBe('RUNNING');
    expect(after.tasks[0]!.state).toBe('RESTARTING');
    // The record is still there, so the restarted task fails again.
    const again = await failedView();
    expect(again.tasks[0]!.trace).toMatch(/schema/i);
  }, 120_000);

  it('when the connector does not exist, then restarting it is a not-found error naming the ones there are', async () => {
    const err = await restartConnector(ctx, `oms-test-no-such-${run}`, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toContain(NAME);
  });
});
