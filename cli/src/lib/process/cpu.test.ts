import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleCpu, youngestAgeSeconds } from './cpu.js';

/** Field 5 of /proc/<pid>/stat. */
const groupOf = (pid: number | string) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

describe('sampleCpu', () => {
  it('when a process of a group starts a child in a session of its own (as PostgreSQL backends do), then the child’s CPU counts for the group', async () => {
    // An idle leader (its own group) whose child, in a session of its own, spins until it has
    // used 300 ms of CPU, says so on the shared stdout, and waits to be killed.
    const spinner = "const t=process.cpuUsage();while(process.cpuUsage(t).user<300000);process.stdout.write('spun');setInterval(()=>{},1000)";
    const leaderCode = `const c=require('child_process').spawn(process.execPath,['-e',${JSON.stringify(spinner)}],{detached:true,stdio:['ignore','inherit','ignore']});process.on('SIGTERM',()=>{process.kill(-c.pid,'SIGKILL');process.exit(0)});setInterval(()=>{},1000)`;
    const leader = spawn(process.execPath, ['-e', leaderCode], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const groups = new Map([['leader', leader.pid!]]);
      const before = sampleCpu(groups).get('leader')!;
      await once(leader.stdout, 'data');
      expect(groupOf(leader.pid!)).toBe(leader.pid);
      expect(sampleCpu(groups).get('leader')! - before).toBeGreaterThanOrEqual(0.3);
    } finally {
      leader.kill('SIGTERM');
    }
  });
});

describe('youngestAgeSeconds', () => {
  it('when a group leader runs, then its age is how long this process has been up', () => {
    const age = youngestAgeSeconds(new Map([['self', process.pid]]));
    expect(age).toBeDefined();
    // /proc's clock ticks are 10 ms; the two clocks are read moments apart.
    expect(Math.abs(age! - process.uptime())).toBeLessThan(1);
  });

  it('when one leader started long before another, then the younger one counts', () => {
    const age = youngestAgeSeconds(new Map([['init', 1], ['self', process.pid]]));
    expect(age).toBeLessThan(process.uptime() + 1);
  });

  it('when no leader runs, then there is no age', () => {
    expect(youngestAgeSeconds(new Map())).toBeUndefined();
    expect(youngestAgeSeconds(new Map([['gone', 2 ** 22 + 1]]))).toBeUndefined();
  });
});
