/**
 * Connectors against the real Kafka Connect of the test infrastructure, each test with
 * connectors and topics of its own:
 * - listing and restarting: a JDBC sink on a topic of its own that fails on its first record
 *   (a value without the schema its converter demands);
 * - healing: a JDBC sink pointed at a port nothing listens on (1) fails, is restarted once,
 *   fails again, and that is reported with the trace and the fix; one pointed at the real
 *   PostgreSQL runs and is left alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { testOpsContext } from '../../../test/ops-context.js';
import { CheckFailedError, NotFoundError } from '../errors.js';
import { ConnectClient } from '../lib/connect.js';
import { withAdmin, withProducer } from '../lib/kafka.js';
import { pollUntil } from '../lib/retry.js';
import { connectorStates, healConnectors, isFailed, listConnectors, restartConnector, type ConnectorView, type RestartedConnector } from './connectors.js';

const infra = testInfra();
const run = randomUUID().slice(0, 8);
const NAME = `oms-test-failing-sink-${run}`;
const TOPIC = `oms-test-connectors-${run}`;
const name = `oms-heal-test-${process.pid}`;
const topic = `oms-heal-test-${process.pid}`;
const okName = `oms-heal-ok-test-${process.pid}`;
const okTopic = `oms-heal-ok-test-${process.pid}`;
const stateDir = mkdtempSync(join(tmpdir(), 'oms-connectors-'));
const ctx = testOpsContext({ stateDir });
const connect = new ConnectClient(infra.connectUrl);

/** A Debezium JDBC sink of this test's own. */
function sinkConfig(from: string, url: string): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max': '1',
    topics: from,
    'connection.url': url,
    'connection.username': 'oms',
    'connection.password': 'oms',
    'insert.mode': 'insert',
    'primary.key.mode': 'none',
    'schema.evolution': 'basic',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  };
}

async function failedView(): Promise<ConnectorView> {
  return pollUntil(
    async () => {
      const view = (await listConnectors(ctx)).find((c) => c.name === NAME);
      return view?.tasks.some((t) => t.state === 'FAILED') ? view : undefined;
    },
    { timeoutMs: 60_000, minDelayMs: 500, onTimeout: () => new Error(`${NAME} did not fail within 60 s`) },
  );
}

afterAll(async () => {
  await connect.delete(NAME).catch(() => undefined);
  await connect.delete(name);
  await connect.delete(okName);
  await withAdmin(infra.kafkaBrokers, (admin) => admin.deleteTopics({ topics: [TOPIC, topic, okTopic] })).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('connectors', () => {
  beforeAll(async () => {
    await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }] }));
    await withProducer(infra.kafkaBrokers, (p) => p.send({ topic: TOPIC, messages: [{ key: '{"id":"x"}', value: '{"no":"schema"}' }] }));
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

describe('healConnectors', () => {
  it('when a task fails and fails again after its restart, then it was restarted once, saying why, and the error carries the trace and the fix', async () => {
    await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }));
    // Port 1: privileged, so nothing of ours or anyone's test listens there.
    await connect.putConfig(name, sinkConfig(topic, 'jdbc:postgresql://127.0.0.1:1/nothing'));
    const record = { schema: { type: 'struct', fields: [{ field: 'id', type: 'string' }] }, payload: { id: 'x' } };
    await withProducer(infra.kafkaBrokers, (p) => p.send({ topic, messages: [{ key: null, value: JSON.stringify(record) }] }));
    await pollUntil(async () => ((await connectorStates(connect, [name])).some(isFailed) ? true : undefined), {
      timeoutMs: 90_000,
      minDelayMs: 500,
      onTimeout: () => new Error(`${name} never failed`),
    });

    const restarts: RestartedConnector[] = [];
    const err = await healConnectors(ctx, [name], { timeoutMs: 90_000, onRestart: (r) => restarts.push(r) }).catch((e: unknown) => e);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]!.name).toBe(name);
    expect(restarts[0]!.parts.length).toBeGreaterThan(0);
    expect(restarts[0]!.why).toMatch(/Exception/);
    expect(err).toBeInstanceOf(CheckFailedError);
    const failure = err as CheckFailedError;
    expect(failure.message).toContain(`connector ${name} failed again after oms restarted it`);
    expect(failure.details.join('\n')).toMatch(/FAILED/);
    expect(failure.details.join('\n')).toMatch(/Exception/);
    expect(failure.hint).toContain('rerun `oms up`');
    // The JDBC sink gives up connecting only after about 30 s, at the start and again after the restart.
  }, 240_000);

  it('when a connector starts and runs, then healing waits for it and restarts nothing', async () => {
    await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ topics: [{ topic: okTopic, numPartitions: 1 }] }));
    // The test PostgreSQL's always-present database; no record arrives, so nothing is written.
    await connect.putConfig(okName, { ...sinkConfig(okTopic, `jdbc:postgresql://${infra.postgres.host}:${infra.postgres.port}/postgres`), 'connection.username': infra.postgres.user, 'connection.password': infra.postgres.password });
    expect(await healConnectors(ctx, [okName], { timeoutMs: 90_000 })).toEqual([]);
    expect((await connectorStates(connect, [okName]))[0]).toMatchObject({ state: 'RUNNING', healthy: true });
  }, 120_000);
});
