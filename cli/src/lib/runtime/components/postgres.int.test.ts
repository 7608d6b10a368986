import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testInfra } from '../../../../../test/infra.js';
import { createContext } from '../context.js';
import { defaultLocalSettings } from '../settings.js';
import { postgresProcess } from './postgres.js';

const { postgres } = testInfra();

/** The postgres component as `up` sees it, pointed at `port` (nothing is started: only `outdated` is asked). */
function componentOn(port: number) {
  const base = defaultLocalSettings();
  const settings = { ...base, stateDir: '/tmp/oms-postgres-outdated-never-created', ports: { ...base.ports, postgres: port }, postgres: { ...base.postgres, user: postgres.user, password: postgres.password } };
  return postgresProcess(createContext(settings, () => undefined));
}

describe('postgres outdated', () => {
  it("when a running PostgreSQL is asked, then outdated names its wal_level unless it already is logical (up restarts it then)", async () => {
    const client = new pg.Client({ ...postgres, database: 'postgres' });
    await client.connect();
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
    await client.end();
    const current = rows[0]!.wal_level;
    const reason = await componentOn(postgres.port).outdated!();
    if (current === 'logical') expect(reason).toBeUndefined();
    else expect(reason).toBe(`wal_level is ${current}, the shipping outbox connector needs logical`);
  });

  it('when nothing answers on the port, then it is not called outdated (the readiness wait deals with it)', async () => {
    expect(await componentOn(1).outdated!()).toBeUndefined();
  });
});
