import { describe, expect, it } from 'vitest';
import { judgeRedisPersistence, parseRedisInfo } from './probes.js';

// What `INFO persistence` of redis-server 7.0 answers (abridged), with its CRLF line ends.
const INFO = ['# Persistence', 'loading:0', 'async_loading:0', 'rdb_changes_since_last_save:12', 'aof_enabled:1', 'aof_rewrite_in_progress:0', 'aof_last_write_status:ok', ''].join('\r\n');

describe('parseRedisInfo', () => {
  it('when INFO is read, then section headers are skipped and each key maps to its value', () => {
    expect(parseRedisInfo(INFO)).toMatchObject({ loading: '0', aof_enabled: '1', aof_last_write_status: 'ok', rdb_changes_since_last_save: '12' });
    expect(parseRedisInfo(INFO)).not.toHaveProperty('# Persistence');
  });
});

describe('judgeRedisPersistence', () => {
  it('when AOF is on and its last write succeeded, then Redis is ready', () => {
    expect(judgeRedisPersistence(parseRedisInfo(INFO))).toEqual({ ready: true, detail: 'PING answered, AOF on' });
  });

  it('when AOF is off, then it is fatal: waiting will not turn it on, and the inventory would lose acknowledged changes', () => {
    const probe = judgeRedisPersistence({ ...parseRedisInfo(INFO), aof_enabled: '0' });
    expect(probe.ready).toBe(false);
    expect(probe.fatal).toContain('append-only file is off');
  });

  it('when the AOF is still loading or its last write failed, then it is not ready yet, saying why', () => {
    expect(judgeRedisPersistence({ ...parseRedisInfo(INFO), loading: '1' })).toEqual({ ready: false, detail: 'loading its append-only file' });
    expect(judgeRedisPersistence({ ...parseRedisInfo(INFO), aof_last_write_status: 'err' })).toMatchObject({ ready: false, detail: expect.stringContaining('aof_last_write_status:err') });
  });
});
