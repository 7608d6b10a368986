import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../ops/status.js';
import { renderStatus } from './status.js';

const report = (lag: StatusReport['lag']): StatusReport => ({
  runtime: 'local',
  runtimeReason: 'last brought up with local at 2026-11-28T10:00:00.000Z',
  components: [{ id: 'orders-stream', kind: 'service', state: 'stopped', pid: null, url: 'http://127.0.0.1:3004', detail: null, startedAt: null }],
  connectors: [],
  lag,
  healthy: false,
});

const partitions = [
  { topic: 'order', partition: 0, committed: '12', end: '12', lag: 0 },
  { topic: 'order', partition: 1, committed: null, end: '0', lag: 0 },
];

describe('renderStatus', () => {
  it('when the status is rendered, then its first line names the runtime and why', () => {
    expect(renderStatus(report(null)).split('\n')[0]).toBe('runtime: local (last brought up with local at 2026-11-28T10:00:00.000Z)');
  });

  it('when the processor group has no member, then its lag is unknown and its last committed offsets are shown, never "caught up"', () => {
    const text = renderStatus(report({ group: 'orders-stream', members: 0, state: 'Empty', processorRunning: false, total: null, partitions }));
    expect(text).toMatch(/orders-stream\s+lag\s+unknown — no member in the group\s+-\s+last committed order\[0\]=12 order\[1\]=-/);
    expect(text).not.toContain('caught up');
  });

  it('when the processor was just killed and the group still lists its member, then the lag is unknown, not caught up', () => {
    const text = renderStatus(report({ group: 'orders-stream', members: 1, state: 'Stable', processorRunning: false, total: null, partitions }));
    expect(text).toMatch(/orders-stream\s+lag\s+unknown — the consumer is stopped \(the group lists 1 member\(s\) until their session times out\)/);
    expect(text).toContain('last committed order[0]=12');
  });

  it('when the group has a member and nothing is left, then it is caught up', () => {
    expect(renderStatus(report({ group: 'orders-stream', members: 1, state: 'Stable', processorRunning: true, total: 0, partitions }))).toMatch(/orders-stream\s+lag\s+caught up/);
  });

  it('when orders-stream runs as two instances in its group, then the lag row says the group has 2 members', () => {
    expect(renderStatus(report({ group: 'orders-stream', members: 2, state: 'Stable', processorRunning: true, total: 0, partitions }))).toMatch(/orders-stream\s+lag\s+caught up\s+-\s+order\[0\]=0 order\[1\]=0; 2 member\(s\)/);
  });

  it('when the keeper restarted a component and gave up on another, then DETAIL says how often and why, the state says crashloop, and a line names the keeper', () => {
    const text = renderStatus({
      ...report(null),
      components: [
        { id: 'kafka', kind: 'infra', state: 'ready', pid: 42, url: '127.0.0.1:9092', detail: null, startedAt: null, restarts: 2, lastExit: '2026-11-29T03:00:00.000Z: killed by SIGKILL' },
        { id: 'orders', kind: 'service', state: 'crashloop', pid: null, url: 'http://127.0.0.1:3003', detail: 'no answer', startedAt: null, restarts: 0, lastExit: '2026-11-29T03:01:00.000Z: exited with code 1' },
      ],
      keeper: { running: true, pid: 7, logFile: '/s/logs/keeper.log' },
    });
    expect(text).toMatch(/kafka\s+infra\s+ready\s+42\s+127\.0\.0\.1:9092\s+restarted 2×, last exit 2026-11-29T03:00:00\.000Z: killed by SIGKILL/);
    expect(text).toMatch(/orders\s+service\s+crashloop\s+-\s+\S+\s+no answer; last exit 2026-11-29T03:01:00\.000Z: exited with code 1/);
    expect(text).toContain('keeper: running (pid 7), restarts what exits unexpectedly; log /s/logs/keeper.log');
  });

  it('when the local runtime has no keeper running, then status says nothing restarts a crashed component', () => {
    expect(renderStatus({ ...report(null), keeper: { running: false, pid: null, logFile: '/s/logs/keeper.log' } })).toContain('keeper: not running: nothing restarts a component that exits (`oms up` starts it)');
  });
});
