/**
 * The --json document of each read-only command, checked against its documented schema
 * (docs/cli.md). These read the running stack on the default ports and change nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorEnvelope, okEnvelope, oms, parseJson, schemas, shiftedStack } from './helpers.js';

const outDir = mkdtempSync(join(tmpdir(), 'oms-cli-json-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs `oms <args> --json` and checks the envelope: `ok` agrees with the exit code, nothing but the document on stdout. */
async function jsonOf(args: string[], env?: NodeJS.ProcessEnv) {
  const res = await oms([...args, '--json'], env ? { env } : {});
  const doc = parseJson(res.stdout) as { ok: boolean };
  expect(doc.ok, `${args.join(' ')}: ok matches exit ${String(res.exitCode)}`).toBe(res.exitCode === 0);
  return { res, doc };
}

describe('--json documents', () => {
  it('when config is asked for JSON, then it lists every setting with its value, source and variable', async () => {
    const { res, doc } = await jsonOf(['config'], { OMS_PORT_KAFKA: '19092' });
    expect(res.exitCode).toBe(0);
    const data = okEnvelope('config', schemas.config).parse(doc).data;
    expect(data.settings.find((s) => s.key === 'ports.kafka')).toMatchObject({ value: 19092, source: 'env', env: 'OMS_PORT_KAFKA' });
  });

  it('when topics list is asked for JSON, then every pipeline topic has partitions and end offsets', async () => {
    const { res, doc } = await jsonOf(['topics', 'list']);
    expect(res.exitCode).toBe(0);
    const data = okEnvelope('topics list', schemas.topicsList).parse(doc).data;
    expect(data.topics.length).toBeGreaterThan(0);
    for (const t of data.topics) expect(t.offsets).toHaveLength(t.partitions ?? 0);
  });

  it('when connectors status is asked for JSON, then each connector has a state and its tasks', async () => {
    const { doc } = await jsonOf(['connectors', 'status']);
    const data = okEnvelope('connectors status', schemas.connectorsStatus).parse(doc).data;
    expect(data.connectors.map((c) => c.name).sort()).toEqual(['oms-customers', 'oms-graph', 'oms-orders', 'oms-shipping']);
  });

  it('when status is asked for JSON, then components, connectors, lag and health are in one document', async () => {
    const { doc } = await jsonOf(['status']);
    const data = okEnvelope('status', schemas.status).parse(doc).data;
    expect(data.components.map((c) => c.id)).toEqual(expect.arrayContaining(['mariadb', 'postgres', 'elasticsearch', 'kafka', 'connect', 'orders']));
  });

  it('when doctor is asked for JSON, then every check has a status and each problem a fix', async () => {
    const { doc } = await jsonOf(['doctor']);
    const data = okEnvelope('doctor', schemas.doctor).parse(doc).data;
    const ids = data.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['docker', 'compose', 'java', 'maven', 'mariadb', 'postgres', 'port:kafka', 'port:postgres', 'memory', 'disk:state', 'disk:cache', 'max_map_count']));
    // The shared stack holds its own ports: that is not a failure.
    for (const c of data.checks.filter((x) => x.id.startsWith('port:'))) expect(c.status, c.title).toBe('ok');
  });

  it('when report is asked for JSON, then it names the archive, its size and every file in it', async () => {
    const out = join(outDir, 'live.tar.gz');
    const { res, doc } = await jsonOf(['report', '--out', out]);
    expect(res.exitCode).toBe(0);
    const data = okEnvelope('report', schemas.report).parse(doc).data;
    expect(data.path).toBe(out);
    const names = data.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['report.json', 'status.json', 'connectors.json', 'topics.json', 'lag.json', 'config.json', 'doctor.json', 'logs/kafka.log', 'logs/orders.log']));
    for (const n of ['connectors.json', 'topics.json', 'lag.json', 'status.json']) expect(data.files.find((f) => f.name === n)?.error, n).toBeNull();
    const listed = execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listed.map((l) => l.replace(/^[^/]+\//, '')).sort()).toEqual([...names].sort());
    const connectors = execFileSync('tar', ['-xzOf', out, listed.find((l) => l.endsWith('/connectors.json'))!], { encoding: 'utf8' });
    expect(connectors).toContain('"database.password": "******"');
    expect(connectors).not.toMatch(/"database\.password": "(?!\*)/);
  });

  it('when the stack is not running, then report still writes every file and records why a part is missing', async () => {
    const stack = shiftedStack('report');
    try {
      const out = join(outDir, 'down.tar.gz');
      const { res, doc } = await jsonOf(['report', '--out', out], stack.env);
      expect(res.exitCode).toBe(0);
      expect(res.ms).toBeLessThan(30_000);
      const data = okEnvelope('report', schemas.report).parse(doc).data;
      expect(data.files.find((f) => f.name === 'connectors.json')?.error).toMatch(/Kafka Connect is not up/);
      expect(data.files.find((f) => f.name === 'topics.json')?.error).toMatch(/Kafka is not up/);
      expect(data.files.find((f) => f.name === 'status.json')?.error).toBeNull();
    } finally {
      await stack.cleanup();
    }
  });

  it('when a command fails with --json, then the error document has the same keys as every other', async () => {
    const res = await oms(['connectors', 'status', 'no-such-connector', '--json']);
    expect(res.exitCode).toBe(2);
    const doc = errorEnvelope.parse(parseJson(res.stdout));
    expect(doc.command).toBe('connectors status');
    expect(doc.error.hint).toContain('oms-orders');
  });
});
