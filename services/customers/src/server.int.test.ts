import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHealth, startServiceProcess, tcpForwarder, waitForHealth, type ServiceProcess, type TcpForwarder } from '@oms/service-kit/testing';
import axios from 'axios';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'customers_startup_test';
const infra = testInfra().mysql;
const processes: ServiceProcess[] = [];
const forwarders: TcpForwarder[] = [];

async function dropDatabase(): Promise<void> {
  const admin = await mysql.createConnection({ ...infra, connectTimeout: 5000 });
  try {
    await admin.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
  } finally {
    await admin.end();
  }
}

/** customers pointed at `mariadbPort`, where nothing answers until the test says so. */
async function startCustomers(mariadbPort: number, startTimeoutMs: number): Promise<ServiceProcess> {
  const service = await startServiceProcess(SERVER, {
    MYSQL_HOST: '127.0.0.1',
    MYSQL_PORT: String(mariadbPort),
    MYSQL_USER: infra.user,
    MYSQL_PASSWORD: infra.password,
    MYSQL_DATABASE: DATABASE,
    START_TIMEOUT_MS: String(startTimeoutMs),
    LOG_LEVEL: 'info',
  });
  processes.push(service);
  return service;
}

async function mariadbLater(): Promise<TcpForwarder> {
  const forwarder = await tcpForwarder({ host: infra.host, port: infra.port });
  forwarders.push(forwarder);
  return forwarder;
}

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npx tsc -b\` before the integration tests`);
  await dropDatabase();
});

afterAll(async () => {
  for (const p of processes) p.kill();
  await Promise.all(forwarders.map((f) => f.stop()));
  await dropDatabase();
});

describe('customers start-up', () => {
  it('when MariaDB is down at start, then /health is 503 naming it until MariaDB comes up, then the service is ready by itself', async () => {
    const mariadb = await mariadbLater();
    const service = await startCustomers(mariadb.port, 120_000);

    const starting = await waitForHealth(service, (h) => h.status === 503 && (h.body.checks?.mariadb as { attempts?: number } | undefined)?.attempts !== 0);
    expect(starting.body).toMatchObject({
      status: 'starting',
      waitingFor: ['mariadb'],
      checks: { mariadb: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) } },
    });
    // Meanwhile a request is a 503 naming what is missing, not a 500.
    const early = await axios.get(`${service.url}/customers`, { validateStatus: () => true, proxy: false });
    expect(early.status).toBe(503);
    expect(early.data).toMatchObject({ error: 'dependency_unavailable', details: { waitingFor: ['mariadb'] } });

    await mariadb.start();
    const ready = await waitForHealth(service, (h) => h.status === 200, 60_000);
    expect(ready.body).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
    expect(service.output()).toMatch(/"msg":"waiting for mariadb \(MariaDB at 127\.0\.0\.1:\d+ \(database customers_startup_test\)\): [^"]*ECONNREFUSED/);
    expect((await axios.get(`${service.url}/customers`, { proxy: false })).data).toMatchObject({ items: [], total: 0 });

    service.child.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
  }, 90_000);

  it('when MariaDB never comes within START_TIMEOUT_MS, then the service exits 1 saying what it waited for', async () => {
    const mariadb = await mariadbLater();
    const service = await startCustomers(mariadb.port, 1_500);
    expect(await service.exited()).toBe(1);
    expect(service.output()).toMatch(
      /"level":60.*"msg":"gave up waiting for mariadb \(MariaDB at 127\.0\.0\.1:\d+ \(database customers_startup_test\)\) after 1\.5 s \(START_TIMEOUT_MS=1500\): [^"]*ECONNREFUSED/,
    );
    expect(await getHealth(service.url)).toBeUndefined();
  }, 30_000);
});
