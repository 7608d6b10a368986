import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { UsageError } from './errors.js';

function dir(file?: unknown): string {
  const d = mkdtempSync(join(tmpdir(), 'oms-config-'));
  if (file !== undefined) writeFileSync(join(d, 'oms.config.json'), typeof file === 'string' ? file : JSON.stringify(file));
  return d;
}

describe('loadConfig', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const root = dir();
    const { config, sources } = loadConfig({ repoRoot: root, cwd: root, env: {}, flags: {} });
    expect(config.ports).toMatchObject({ customers: 3001, products: 3002, orders: 3003, ordersStream: 3004, ordersGraph: 4000, kafka: 9092, connect: 8083, mysql: 3306, postgres: 5432, elasticsearch: 9200 });
    expect(config.stateDir).toBe(join(root, '.oms', 'local'));
    expect(sources['ports.kafka']).toBe('default');
  });

  it('when a value is set in file, env and flag, then the flag wins, then env, then file', () => {
    const root = dir({ runtime: 'docker', ports: { kafka: 19092, connect: 18083 } });
    const { config, sources } = loadConfig({ repoRoot: root, cwd: root, env: { OMS_RUNTIME: 'local', OMS_PORT_KAFKA: '29092' }, flags: { runtime: 'auto' } });
    expect(config.runtime).toBe('auto');
    expect(sources.runtime).toBe('flag');
    expect(config.ports.kafka).toBe(29092);
    expect(sources['ports.kafka']).toBe('env');
    expect(config.ports.connect).toBe(18083);
    expect(sources['ports.connect']).toBe('file');
  });

  it('when several values are wrong, then one usage error lists them all', () => {
    const root = dir({ ports: { kafka: 'x' }, nonsense: 1 });
    let error: unknown;
    try {
      loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_MYSQL: '70000', OMS_RUNTIME: 'k8s' }, flags: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    const details = (error as UsageError).details.join('\n');
    expect(details).toMatch(/unknown setting "nonsense"/);
    expect(details).toMatch(/OMS_PORT_MYSQL/);
    expect(details).toMatch(/OMS_RUNTIME/);
    expect(details).toMatch(/ports.kafka/);
    expect((error as UsageError).exitCode).toBe(2);
  });

  it('when two components share a port, then it is a usage error', () => {
    const root = dir();
    expect(() => loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_ORDERS: '3001' }, flags: {} })).toThrow(/invalid configuration/);
  });

  it('when the file is not JSON, then the error names the file', () => {
    const root = dir('{nope');
    expect(() => loadConfig({ repoRoot: root, cwd: root, env: {}, flags: {} })).toThrow(UsageError);
  });

  it('when loaded, then the config is frozen', () => {
    const root = dir();
    const { config } = loadConfig({ repoRoot: root, cwd: root, env: {}, flags: {} });
    expect(Object.isFrozen(config.ports)).toBe(true);
  });
});
