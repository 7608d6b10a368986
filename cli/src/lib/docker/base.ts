/**
 * The local base image of `oms build --offline`: a minimal Debian bookworm root filesystem
 * made by debootstrap from Debian's apt mirror, imported into the daemon as
 * `oms-base:bookworm`. Made once: an existing image is reused.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ExternalError, PrereqError } from '../../errors.js';
import { findBinary, isRoot } from '../runtime/os-packages.js';
import { type Docker, inspectImage } from './client.js';

export const DEBIAN_SUITE = 'bookworm';

/** Files written into the root filesystem before import (apt sources, lean apt, no service starts). */
export function rootfsTweaks(mirror: string): Array<{ path: string; content: string; mode?: number }> {
  const security = mirror.replace(/\/debian\/?$/, '/debian-security');
  return [
    {
      path: 'etc/apt/sources.list',
      content: [`deb ${mirror} ${DEBIAN_SUITE} main`, `deb ${mirror} ${DEBIAN_SUITE}-updates main`, `deb ${security} ${DEBIAN_SUITE}-security main`, ''].join('\n'),
    },
    { path: 'etc/apt/apt.conf.d/90oms', content: 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Retries "3";\n' },
    // Images need no manuals or translations.
    { path: 'etc/dpkg/dpkg.cfg.d/90oms-nodoc', content: 'path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/info/*\npath-exclude=/usr/share/locale/*\npath-include=/usr/share/locale/locale.alias\n' },
    // Package scripts must not try to start servers inside a build.
    { path: 'usr/sbin/policy-rc.d', content: '#!/bin/sh\nexit 101\n', mode: 0o755 },
  ];
}

/** Image config set on import (an imported tarball has none: no PATH, no CMD). */
export const BASE_IMAGE_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV LANG=C.UTF-8',
  'ENV DEBIAN_FRONTEND=noninteractive',
  'CMD ["/bin/bash"]',
];

/**
 * Makes `ref` from a fresh debootstrap unless the daemon already has it. Needs root and
 * debootstrap; the root filesystem is built under `workDir` and removed after the import.
 */
export async function ensureBaseImage(
  docker: Docker,
  opts: { ref: string; workDir: string; mirror: string; onProgress: (message: string) => void },
): Promise<'cached' | 'imported'> {
  if (await inspectImage(docker, opts.ref)) return 'cached';
  if (!isRoot()) throw new PrereqError('building the offline base image needs root (debootstrap creates device files and chowns)', { hint: 'run `sudo oms build --offline`' });
  const debootstrap = findBinary(['debootstrap']);
  if (!debootstrap) throw new PrereqError('debootstrap is needed to build the offline base image', { hint: 'sudo apt-get install -y debootstrap' });

  const rootfs = path.join(opts.workDir, `rootfs-${DEBIAN_SUITE}`);
  await rm(rootfs, { recursive: true, force: true });
  await mkdir(opts.workDir, { recursive: true });
  try {
    opts.onProgress(`debootstrap --variant=minbase ${DEBIAN_SUITE} from ${opts.mirror}`);
    const res = await execa(debootstrap, ['--variant=minbase', DEBIAN_SUITE, rootfs, opts.mirror], { reject: false, all: true, timeout: 20 * 60_000 });
    if (res.exitCode !== 0) {
      throw new ExternalError(`debootstrap failed (exit ${String(res.exitCode)})`, {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- execa leaves the output undefined when the command cannot start (ENOENT), whatever its type says
        details: (res.all ?? '').split('\n').slice(-20),
        hint: `check that ${opts.mirror} is reachable (set OMS_DEBIAN_MIRROR to use another mirror)`,
      });
    }
    for (const t of rootfsTweaks(opts.mirror)) {
      const target = path.join(rootfs, t.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, t.content, { mode: t.mode ?? 0o644 });
    }
    // Downloaded .debs and package lists: 30+ MB the image does not need.
    await execa('sh', ['-c', 'rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* var/log/*.log debootstrap'], { cwd: rootfs });
    opts.onProgress(`importing the root filesystem as ${opts.ref}`);
    await importRootfs(docker, rootfs, opts.ref);
    return 'imported';
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/** `tar -C rootfs -c . | docker import - ref`, with the image config above. */
async function importRootfs(docker: Docker, rootfs: string, ref: string): Promise<void> {
  const [repo, tag] = ref.split(':');
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
  const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const stream = await docker.importImage(tar.stdout, { repo, tag, changes: BASE_IMAGE_CHANGES } as unknown as object);
  const out = await new Promise<Array<{ error?: string }>>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string }>) => (err ? reject(err) : resolve(res))));
  const code = await tarDone;
  const failed = out.find((e) => e.error);
  if (code !== 0 || failed) throw new ExternalError(`importing the base image failed: ${failed?.error ?? tarErr.trim()}`, { hint: 'see the daemon log (journalctl -u docker, or dockerd output)' });
}
