import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose.js';

describe('diagnose', () => {
  it('when Elasticsearch refuses root, then the hint is about the system user', () => {
    const d = diagnose({ component: 'elasticsearch', lines: ['java.lang.RuntimeException: can not run elasticsearch as root'] });
    expect(d?.cause).toMatch(/root/);
  });

  it('when a bootstrap check fails on max_map_count, then the sysctl fix is given', () => {
    const d = diagnose({
      component: 'elasticsearch',
      lines: ['ERROR: [1] bootstrap checks failed.', 'bootstrap check failure [1] of [1]: max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]'],
    });
    expect(d?.hint).toBe('sudo sysctl -w vm.max_map_count=262144');
  });

  it('when max_map_count is only a dev-mode warning, then it is not blamed', () => {
    const d = diagnose({
      component: 'elasticsearch',
      lines: ['[WARN ][o.e.b.BootstrapChecks] [oms] max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]'],
    });
    expect(d).toBeUndefined();
  });

  it('when a bind fails, then the port is named', () => {
    const d = diagnose({ component: 'kafka', ports: [9092, 9093], lines: ['org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:9092: Address already in use.'] });
    expect(d?.cause).toContain('9092, 9093');
    expect(d?.hint).toMatch(/ss -ltnp/);
  });

  it('when MariaDB cannot bind, then it is a port problem', () => {
    expect(diagnose({ component: 'mariadb', lines: ["[ERROR] Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use"] })?.cause).toMatch(/port/);
  });

  it('when the JVM runs out of heap, then the fix is about memory', () => {
    expect(diagnose({ component: 'connect', lines: ['java.lang.OutOfMemoryError: Java heap space'] })?.cause).toMatch(/out of memory/);
  });

  it('when the process got SIGKILL with no log clue, then the OOM killer is suspected', () => {
    expect(diagnose({ component: 'elasticsearch', lines: ['starting'], signal: 'SIGKILL' })?.cause).toMatch(/OOM/);
    expect(diagnose({ component: 'elasticsearch', lines: [], exitCode: 137 })?.hint).toMatch(/dmesg/);
  });

  it('when Connect misses the Debezium plugins, then the cache is to be refetched', () => {
    const d = diagnose({ component: 'connect', cacheDir: '/c', lines: ['Connect plugins missing: io.debezium.connector.mariadb.MariaDbConnector'] });
    expect(d?.hint).toContain('rm -rf /c/local-runtime-*');
  });

  it('when nothing known is in the log, then there is no diagnosis', () => {
    expect(diagnose({ component: 'kafka', lines: ['all good'], exitCode: 1 })).toBeUndefined();
  });
});
