/**
 * Software the tiers need: QEMU system emulators and their accelerators, qemu-user, container engines
 * (installed, and whether the engine answers), OCI runtimes and sandboxes, busybox, and a bootable guest
 * kernel. Binaries are found by stat on the standard PATH (no spawn); only found ones are asked for a
 * version, each bounded in time and cached by the binary's identity. A version command that times out
 * makes the finding unknown (with the time waited), never "not installed".
 */
import { evidence, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import { describeOutcome, type Host } from '../src/core/host.js'
import { parseElf } from '../src/parse/elf.js'
import { hardNofileLimit } from '../src/parse/proc-limits.js'
import { parseProcStatus } from '../src/parse/proc-status.js'
import type { Probe, ProbeEnv } from './types.js'
import { cgroupView } from './cgroups.js'
import { criuState } from './lib/criu.js'
import { initSystem, runOnce, statOf, text, versionOf, which } from './lib/facts.js'
import { kvmBackend } from './kvm.js'

const head = (id: string, title: string) => ({ id: `software.${id}`, area: 'software', title }) as const

/** "Not installed" is not a defect (skip), but it still says how to install it. */
const notInstalled = (h: ReturnType<typeof head>, names: string, debianPackage: string): Finding => ({
  ...skip({ ...h, facts: { installed: false } }, 'not installed', [evidence('PATH', `no ${names}`)]),
  remediation: { summary: `Install ${debianPackage} (Debian/Ubuntu package name).`, commands: [`sudo apt-get install ${debianPackage}`] },
})

/** Installed, but the tool did not answer in time: unknown, with how long we waited. */
const timedOut = (h: ReturnType<typeof head>, bin: string, why: string, ev: Evidence[]): Finding =>
  unknown({ ...h, facts: { installed: true, path: bin, answered: false } }, `installed at ${bin}, but it did not answer: ${why}`, ev, {
    summary: 'A slow or overloaded host: rerun with a larger time budget (VIRTCHECK_SLOWNESS=10 virtcheck probe).',
  })

const qemuSystem = async (host: Host, arch: 'x86_64' | 'aarch64'): Promise<Finding> => {
  const h = head(`qemu-system-${arch}`, `QEMU system emulator (qemu-system-${arch})`)
  const bin = await which(host, `qemu-system-${arch}`)
  if (!bin) return notInstalled(h, `qemu-system-${arch}`, arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm')
  const [ver, accel, backend] = await Promise.all([
    versionOf(host, [bin, '--version']),
    runOnce(host, [bin, '-accel', 'help'], 3000, { cacheByBinary: true }),
    kvmBackend(host),
  ])
  const accels =
    accel.kind === 'exited' && accel.exitCode === 0
      ? accel.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !/:$/.test(l))
      : []
  const ev = [
    evidence(bin, ver.line ?? ver.why),
    evidence(`${bin} -accel help`, accels.length ? accels.join(', ') : describeOutcome(accel)),
  ]
  if (ver.timedOut || accel.kind === 'timed-out')
    return timedOut(h, bin, ver.timedOut ? ver.why : `${bin} -accel help: ${describeOutcome(accel)}`, ev)
  const version = ver.line?.match(/version (\S+)/)?.[1]
  // QEMU lists kvm whenever it was built with it; on a PVM /dev/kvm a standard guest still cannot boot.
  const hostArch = host.identity.arch === arch
  const kvmNote =
    accels.includes('kvm') && hostArch && backend === 'kvm_pvm'
      ? ' (kvm is built in, but /dev/kvm here is PVM: standard guests cannot boot under it, see kvm.module)'
      : ''
  const shown = kvmNote ? accels.filter((a) => a !== 'kvm') : accels
  return pass(
    {
      ...h,
      facts: { installed: true, path: bin, version: version ?? null, accelerators: accels.join(','), usableAccelerators: shown.join(',') },
    },
    `${version ?? '?'}, accelerators: ${shown.join(', ') || 'unknown'}${kvmNote}`,
    ev,
  )
}

const qemuUser = async (host: Host): Promise<Finding> => {
  const h = head('qemu-user-aarch64', 'qemu-user for aarch64 (qemu-aarch64-static)')
  const bin = (await which(host, 'qemu-aarch64-static')) ?? (await which(host, 'qemu-aarch64'))
  if (!bin) return notInstalled(h, 'qemu-aarch64-static, no qemu-aarch64', 'qemu-user-static')
  const ver = await versionOf(host, [bin, '--version'])
  const ev = [evidence(bin, ver.line ?? ver.why)]
  if (ver.timedOut) return timedOut(h, bin, ver.why, ev)
  return pass(
    { ...h, facts: { installed: true, path: bin } },
    `${bin.split('/').pop()} ${ver.line?.match(/version (\S+)/)?.[1] ?? ''}`.trim(),
    ev,
  )
}

/** How to get a Docker engine running on this host: install it, or start it the way PID 1 allows. */
const dockerEngineFix = async (host: Host): Promise<{ summary: string; commands: string[] }> => {
  const [dockerd, init] = await Promise.all([which(host, 'dockerd'), initSystem(host)])
  if (!dockerd)
    return {
      summary:
        'Only the docker CLI is installed (no dockerd on PATH): install the engine (Debian/Ubuntu: docker.io; or Docker Engine from docker.com), or point DOCKER_HOST at a remote engine.',
      commands: [
        'sudo apt-get install docker.io',
        ...(init.systemd ? ['sudo systemctl start docker'] : ['sudo dockerd >/var/log/dockerd.log 2>&1 &']),
      ],
    }
  if (init.systemd) return { summary: 'Start the Docker daemon (or point DOCKER_HOST at one).', commands: ['sudo systemctl start docker'] }
  return {
    summary: `Start the Docker daemon by hand: PID 1 is ${init.comm ?? 'not systemd'}, so there is no systemctl to start it (or point DOCKER_HOST at an engine).`,
    commands: [`sudo ${dockerd} >/var/log/dockerd.log 2>&1 &`],
  }
}

const docker = async (host: Host, env: ProbeEnv): Promise<Finding> => {
  const h = head('docker', 'Docker (CLI and engine)')
  const bin = await which(host, 'docker')
  if (!bin) return notInstalled(h, 'docker', 'docker.io')
  // Without DOCKER_HOST or a CLI context the CLI talks to /var/run/docker.sock only: when that socket is
  // absent the engine cannot answer, and asking the 40 MB CLI to find that out costs a spawn.
  // Snapshots (no env.docker) and redirected CLIs go straight to `docker info`.
  const [sock, cliConfig] = env.docker ? await Promise.all([statOf(host, '/var/run/docker.sock'), text(host, env.docker.configFile)]) : []
  const redirected = !env.docker || env.docker.redirected || /"currentContext"\s*:\s*"(?!default")/.test(cliConfig ?? '')
  if (sock?.kind === 'missing' && !redirected) {
    return warn(
      { ...h, facts: { installed: true, answers: false } },
      'CLI installed but no engine: /var/run/docker.sock does not exist',
      [evidence('/var/run/docker.sock', 'missing (DOCKER_HOST unset, no CLI context)')],
      await dockerEngineFix(host),
    )
  }
  const o = await runOnce(host, [bin, 'info', '--format', '{{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}}'], 4000)
  const out = o.kind === 'exited' ? ((o.stdout.trim() || o.stderr.trim()).split('\n')[0] ?? '') : describeOutcome(o)
  const ev = [evidence(`${bin} info`, out)]
  if (o.kind === 'exited' && o.exitCode === 0 && out) {
    const [ver, cg, drv] = out.split(' ')
    return pass(
      { ...h, facts: { installed: true, answers: true, version: ver ?? null } },
      `engine ${ver} answers (cgroup v${cg ?? '?'}, ${drv ?? '?'} driver)`,
      ev,
    )
  }
  if (o.kind === 'timed-out') return timedOut(h, bin, `${bin} info: ${describeOutcome(o)}`, ev)
  return warn(
    { ...h, facts: { installed: true, answers: false } },
    'CLI installed but the engine does not answer',
    ev,
    await dockerEngineFix(host),
  )
}

const podman = async (host: Host): Promise<Finding> => {
  const h = head('podman', 'Podman')
  const bin = await which(host, 'podman')
  if (!bin) return notInstalled(h, 'podman', 'podman')
  const [v, limits, status, cg] = await Promise.all([
    versionOf(host, [bin, '--version']),
    text(host, '/proc/self/limits'),
    text(host, '/proc/self/status'),
    cgroupView(host),
  ])
  const ver = v.line
  const ev: Evidence[] = [evidence(bin, v.line ?? v.why)]
  if (v.timedOut) return timedOut(h, bin, v.why, ev)
  const notes: string[] = []
  // Podman raises RLIMIT_NOFILE to 1048576 in the container; without CAP_SYS_RESOURCE that fails (see src/tiers/container/podman.ts).
  const hardNofile = hardNofileLimit(limits ?? '')
  const st = status ? parseProcStatus(status) : undefined
  const noSysResource = st?.capBnd !== undefined && ((st.capBnd >> 24n) & 1n) === 0n
  if (hardNofile) ev.push(evidence('/proc/self/limits', `hard nofile ${hardNofile}`))
  if (noSysResource && hardNofile !== 'unlimited' && Number(hardNofile) < 1048576)
    notes.push(
      `hard nofile limit ${hardNofile} without CAP_SYS_RESOURCE: pass --ulimit nofile=${hardNofile}:${hardNofile} --ulimit nproc=4096:4096`,
    )
  if (cg.mode === 'hybrid') notes.push('hybrid cgroups: use --runtime runc (crun refuses hybrid mode)')
  if (notes.length)
    return warn(
      { ...h, facts: { installed: true, traps: notes.length } },
      `${ver ?? 'installed'}; works only with: ${notes.join('; ')}`,
      ev,
      { summary: notes.join('. ') + '. virtcheck passes these flags itself.' },
    )
  return pass({ ...h, facts: { installed: true } }, ver ?? 'installed', ev)
}

const simpleTool = async (host: Host, id: string, title: string, names: readonly string[], debianPackage: string): Promise<Finding> => {
  const h = head(id, title)
  const found = (await Promise.all(names.map(async (n) => [n, await which(host, n)] as const))).filter(([, p]) => p !== undefined) as [
    string,
    string,
  ][]
  if (found.length === 0) return notInstalled(h, names.join(', no '), debianPackage)
  const vers = await Promise.all(found.map(async ([n, p]) => [n, p, await versionOf(host, [p, '--version'])] as const))
  const ev = vers.map(([n, , v]) => evidence(n, v.line ?? v.why))
  const slow = vers.find(([, , v]) => v.timedOut)
  if (slow) return timedOut(h, slow[1], slow[2].why ?? 'timed out', ev)
  const words = vers.map(([n, , v]) => `${n} ${v.line?.match(/(\d+\.\d+(\.\d+)?)/)?.[1] ?? ''}`.trim())
  return pass({ ...h, facts: { installed: true, tools: found.map(([n]) => n).join(',') } }, words.join(', '), ev)
}

/** CRIU installed is not CRIU usable: an old criu cannot start on a new kernel. */
const criu = async (host: Host): Promise<Finding> => {
  const h = head('criu', 'CRIU (checkpoint/restore)')
  const c = await criuState(host)
  if (!c.path) return notInstalled(h, 'criu', 'criu')
  const ev = [
    evidence(c.path, c.version ? `criu ${c.version}` : (c.versionWhy ?? 'version unknown')),
    evidence('kernel', host.identity.kernelRelease),
  ]
  if (c.versionTimedOut) return timedOut(h, c.path, c.versionWhy ?? 'timed out', ev)
  if (c.kernelBlocks)
    return warn({ ...h, facts: { installed: true, version: c.version ?? null, usable: false } }, `installed, but ${c.kernelBlocks}`, ev, {
      summary:
        "Use CRIU 4.1 or newer (build it from source or a newer distribution release), or boot a kernel older than 6.13; Debian 12's criu package cannot run here.",
    })
  return pass({ ...h, facts: { installed: true, version: c.version ?? null } }, `criu ${c.version ?? '(version unknown)'}`, ev)
}

const busybox = async (host: Host): Promise<Finding> => {
  const h = head('busybox', 'Static busybox (container and guest userland)')
  const bin = await which(host, 'busybox')
  if (!bin)
    return {
      ...notInstalled(h, 'busybox', 'busybox-static'),
      summary: 'not installed (containers and guests use the static vcwork alone)',
      facts: { installed: false, static: false },
    }
  const b = await host.readBytes(bin, 0, 4096)
  const elf = b.kind === 'ok' ? parseElf(b.bytes) : undefined
  const ev = [evidence(bin, elf ? `${elf.machine} ELF, ${elf.static ? 'static' : 'dynamically linked'}` : 'not readable as ELF')]
  if (elf && !elf.static)
    return warn(
      { ...h, facts: { installed: true, static: false } },
      'installed but dynamically linked: unusable inside a minimal rootfs',
      ev,
      { summary: 'Install the static build.', commands: ['sudo apt-get install busybox-static'] },
    )
  return pass({ ...h, facts: { installed: true, static: elf?.static ?? null } }, `${bin}${elf?.static ? ' (static)' : ''}`, ev)
}

/** Guest kernels: the running kernel's image, other /boot images, and virtcheck's own cache. */
const guestKernel = async (host: Host, env: ProbeEnv): Promise<Finding> => {
  const h = head('guest-kernel', 'Bootable guest kernel for the QEMU tiers')
  const r = host.identity.kernelRelease
  const boot = await host.list('/boot')
  const bootImgs = boot.kind === 'ok' ? boot.entries.filter((e) => /^(vmlinuz|vmlinux|bzImage|Image)/.test(e)).map((e) => `/boot/${e}`) : []
  const cached = (
    await Promise.all(
      env.kernelCacheDirs.map(async (d) => {
        const l = await host.list(d)
        return l.kind === 'ok' ? l.entries.filter((e) => !e.startsWith('.')).map((e) => `${d}/${e}`) : []
      }),
    )
  ).flat()
  const candidates = [...new Set([`/boot/vmlinuz-${r}`, ...bootImgs, ...cached])]
  const readable = (await Promise.all(candidates.map(async (c) => ((await host.open(c, 'r')).kind === 'ok' ? c : undefined)))).filter(
    (c): c is string => c !== undefined,
  )
  const ev: Evidence[] = [
    evidence('/boot', boot.kind === 'ok' ? bootImgs.join(' ') || 'no kernel images' : boot.kind),
    evidence('kernel cache', env.kernelCacheDirs.length ? `${env.kernelCacheDirs.join(', ')}: ${cached.length} entries` : 'not consulted'),
  ]
  if (readable.length)
    return pass(
      { ...h, facts: { kernel: readable[0] ?? null, count: readable.length } },
      `${readable[0]}${readable.length > 1 ? ` (+${readable.length - 1} more)` : ''}`,
      ev,
    )
  const unreadable = candidates.filter((c) => bootImgs.includes(c))
  return warn(
    { ...h, facts: { kernel: null, count: 0 } },
    unreadable.length ? `kernel images exist but are not readable by uid ${host.identity.uid} (${unreadable[0]})` : 'none found',
    ev,
    {
      summary: "`virtcheck setup` downloads Debian's cloud kernel into the cache; or pass --kernel PATH.",
      commands: ['virtcheck setup'],
    },
  )
}

export const softwareProbe: Probe = {
  id: 'software',
  area: 'software',
  reads: ['PATH directories (stat)', '/boot', '/proc/self/limits', 'kernel cache folders'],
  runs: [
    ['qemu-system-x86_64', '--version'],
    ['qemu-system-x86_64', '-accel', 'help'],
    ['docker', 'info', '--format', '…'],
    ['<tool>', '--version'],
  ],
  async check(host, env = { kernelCacheDirs: [] }) {
    return Promise.all([
      qemuSystem(host, 'x86_64'),
      qemuSystem(host, 'aarch64'),
      qemuUser(host),
      docker(host, env),
      podman(host),
      simpleTool(host, 'lxc', 'LXC (lxc-execute)', ['lxc-execute'], 'lxc'),
      simpleTool(
        host,
        'oci-runtimes',
        'OCI runtimes (runc, crun) and sandboxes (gVisor runsc, Kata)',
        ['runc', 'crun', 'runsc', 'kata-runtime'],
        'runc',
      ),
      simpleTool(host, 'systemd-nspawn', 'systemd-nspawn', ['systemd-nspawn'], 'systemd-container'),
      criu(host),
      busybox(host),
      guestKernel(host, env),
    ])
  },
}
