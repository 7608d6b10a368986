import { describe, expect, it } from 'vitest';
import { connectorFix, describeFailure, describeRestart, failureReason, type ConnectorState } from './connectors.js';

/** What Connect reports for the JDBC sink's task after PostgreSQL went away (abridged). */
const SINK_TRACE = [
  'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.',
  '\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:636)',
  'Caused by: org.apache.kafka.connect.errors.ConnectException: JDBC sink connector failure',
  '\tat io.debezium.connector.jdbc.JdbcSinkConnectorTask.put(JdbcSinkConnectorTask.java:121)',
  'Caused by: org.postgresql.util.PSQLException: Connection to 127.0.0.1:19432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
].join('\n');

const failedSink: ConnectorState = { name: 'oms-graph', state: 'RUNNING', tasks: [{ id: 0, state: 'FAILED', trace: SINK_TRACE }], healthy: false };

describe('why a connector failed', () => {
  it('when a trace has causes, then the reason is its first line and its last cause', () => {
    expect(failureReason(SINK_TRACE)).toBe(
      'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception. (caused by org.postgresql.util.PSQLException: Connection to 127.0.0.1:19432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.)',
    );
  });

  it('when a trace is one line, or missing, then that line, or a note that Connect gave none', () => {
    expect(failureReason('java.lang.IllegalStateException: boom')).toBe('java.lang.IllegalStateException: boom');
    expect(failureReason(undefined)).toBe('Connect reported no trace');
  });

  it('when a task failed under a running connector, then only that task is named, with why', () => {
    const d = describeFailure(failedSink);
    expect(d.parts).toEqual(['task 0']);
    expect(describeRestart(d)).toMatch(/^restarted oms-graph task 0 \(had failed: org\.apache\.kafka\.connect\.errors\.ConnectException: Exiting WorkerSinkTask.*PSQLException: Connection to 127\.0\.0\.1:19432 refused/);
  });

  it('when the connector itself and a task failed for the same reason, then both are named and the reason once', () => {
    const d = describeFailure({ name: 'oms-orders', state: 'FAILED', trace: 'x.Y: binlog is off', tasks: [{ id: 0, state: 'FAILED', trace: 'x.Y: binlog is off' }, { id: 1, state: 'RUNNING' }], healthy: false });
    expect(d).toEqual({ name: 'oms-orders', parts: ['connector', 'task 0'], why: 'x.Y: binlog is off' });
  });
});

describe('connectorFix', () => {
  it('when the trace says the database refused the connection, then the fix points at the database and at rerunning oms up', () => {
    const fix = connectorFix(failedSink);
    expect(fix).toContain('does not answer');
    expect(fix).toContain('PostgreSQL for oms-graph');
    expect(fix).toContain('rerun `oms up`');
  });

  it('when the cause is not a known one, then the fix says where to read and how to retry', () => {
    expect(connectorFix({ ...failedSink, tasks: [{ id: 0, state: 'FAILED', trace: 'java.lang.NullPointerException' }] })).toBe(
      'read the trace above and `oms logs connect`, fix the cause, then rerun `oms up` (it restarts failed connectors and tasks)',
    );
  });
});
