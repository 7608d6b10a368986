/**
 * Healing connectors against the real Kafka Connect of the test infrastructure, with a
 * connector of this test's own (its own name and topic): a JDBC sink pointed at a port
 * nothing listens on (1) fails, is restarted once, fails again, and that is reported with the
 * trace and the fix; one pointed at the real PostgreSQL runs and is left alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { loadConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { ConnectClient } from '../lib/connect.js';
import { withAdmin, withProducer } from '../lib/kafka.js';
import { pollUntil } from '../lib/retry.js';
import { connectorStates, healConnectors, isFailed, type RestartedConnector } from './connectors.js';

const infra = testInfra();
const name = `oms-heal-test-${process.pid}`;
const topic = `oms-heal-test-${process.pid}`;
const okName = `oms-heal-ok-test-${process.pid}`;
const okTopic = `oms-heal-ok-test-${process.pid}`;
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

/** A context whose Connect is the test infrastructure's. */
function context(): OpsContext {
  const env = { OMS_PORT_CONNECT: new URL(infra.connectUrl).port, OMS_PORT_KAFKA: infra.kafkaBrokers[0]!.split(':')[1]! };
  const loaded = loadConfig({ repoRoot: process.cwd(), cwd: process.cwd(), env, flags: { runtime: 'local' } });
  return { loaded, cwd: process.cwd(), repoRoot: process.cwd(), env, signal: new AbortController().signal, debug: () => undefined };
}

afterAll(async () => {
  await connect.delete(name);
  await connect.delete(okName);
  await withAdmin(infra.kafkaBrokers, (admin) => admin.deleteTopics({ topics: [topic, okTopic] })).catch(() => undefined);
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
    const err = await healConnectors(context(), [name], { timeoutMs: 90_000, onRestart: (r) => restarts.push(r) }).catch((e: unknown) => e);
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
    expect(await healConnectors(context(), [okName], { timeoutMs: 90_000 })).toEqual([]);
    expect((await connectorStates(connect, [okName]))[0]).toMatchObject({ state: 'RUNNING', healthy: true });
  }, 120_000);
});
