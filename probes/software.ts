/**
 * Software the tiers need: QEMU system emulators and their accelerators, qemu-user, container engines
 * (installed, and whether the engine answers), OCI runtimes and sandboxes, busybox, and a bootable guest
 * kernel. Binaries are found by stat on the standard PATH (no spawn); only found ones are asked for a
 * version, each bounded in time.
 */
import { evidence, pass, skip, warn, type Evidence, type Finding } from '../src/core/finding.js'
import { describeOutcome, type Host } from '../src/core/host.js'
import { parseElf } from '../src/parse/elf.js'
import { parseProcStatus } from '../src/parse/proc-status.js'
import type { Probe, ProbeEnv } from './types.js'
import { cgroupView } from './cgroups.js'
import { runOnce, text, versionLine, which } from './lib/facts.js'

const head = (id: string, title: string) => ({ id: `software.${id}`, area: 'software', title }) as const

/** "Not installed" is not a defect (skip), but it still says how to install it. */
const notInstalled = (h: ReturnType<typeof head>, names: string, debianPackage: string): Finding => ({
  ...skip({ ...h, facts: { installed: false } }, 'not installed', [evidence('PATH', `no ${names}`)]),
  remediation: { summary: `Install ${debianPackage} (Debian/Ubuntu package name).`, commands: [`sudo apt-get install ${debianPackage}`] },
})

const qemuSystem = async (host: Host, arch: 'x86_64' | 'aarch64'): Promise<Finding> => {
  const h = head(`qemu-system-${arch}`, `QEMU system emulator (qemu-system-${arch})`)
  const bin = await which(host, `qemu-system-${arch}`)
  if (!bin) return notInstalled(h, `qemu-system-${arch}`, arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm')
  const [ver, accel] = await Promise.all([versionLine(host, [bin, '--version']), runOnce(host, [bin, '-accel', 'help'])])
  const accels = accel.kind === 'exited' && accel.exitCode === 0 ? accel.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !/:$/.test(l)) : []
  const ev = [evidence(bin, ver ?? 'version unknown'), evidence(`${bin} -accel help`, accels.length ? accels.join(', ') : describeOutcome(accel))]
  return pass({ ...h, facts: { installed: true, path: bin, version: ver?.match(/version (\S+)/)?.[1] ?? null, accelerators: accels.join(',') } }, `${ver?.match(/version (\S+)/)?.[1] ?? '?'}, accelerators: ${accels.join(', ') || 'unknown'}`, ev)
}

const qemuUser = async (host: Host): Promise<Finding> => {
  const h = head('qemu-user-aarch64', 'qemu-user for aarch64 (qemu-aarch64-static)')
  const bin = (await which(host, 'qemu-aarch64-static')) ?? (await which(host, 'qemu-aarch64'))
  if (!bin) return notInstalled(h, 'qemu-aarch64-static, no qemu-aarch64', 'qemu-user-static')
  const ver = await versionLine(host, [bin, '--version'])
  return pass({ ...h, facts: { installed: true, path: bin } }, `${bin.split('/').pop()} ${ver?.match(/version (\S+)/)?.[1] ?? ''}`.trim(), [evidence(bin, ver ?? 'version unknown')])
}

const docker = async (host: Host): Promise<Finding> => {
  const h = head('docker', 'Docker (CLI and engine)')
  const bin = await which(host, 'docker')
  if (!bin) return notInstalled(h, 'docker', 'docker.io')
  const o = await runOnce(host, [bin, 'info', '--format', '{{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}}'], 4000)
  const out = o.kind === 'exited' ? (o.stdout.trim() || o.stderr.trim()).split('\n')[0] ?? '' : describeOutcome(o)
  const ev = [evidence(`${bin} info`, out)]
  if (o.kind === 'exited' && o.exitCode === 0 && out) {
    const [ver, cg, drv] = out.split(' ')
    return pass({ ...h, facts: { installed: true, answers: true, version: ver ?? null } }, `engine ${ver} answers (cgroup v${cg ?? '?'}, ${drv ?? '?'} driver)`, ev)
  }
  return warn({ ...h, facts: { installed: true, answers: false } }, 'CLI installed but the engine does not answer', ev, {
    summary: 'Start the Docker daemon (or point DOCKER_HOST at one).',
    commands: ['sudo systemctl start docker   # or: sudo dockerd &'],
  })
}

const podman = async (host: Host): Promise<Finding> => {
  const h = head('podman', 'Podman')
  const bin = await which(host, 'podman')
  if (!bin) return notInstalled(h, 'podman', 'podman')
  const [ver, limits, status, cg] = await Promise.all([versionLine(host, [bin, '--version']), text(host, '/proc/self/limits'), text(host, '/proc/self/status'), cgroupView(host)])
  const ev: Evidence[] = [evidence(bin, ver ?? 'version unknown')]
  const notes: string[] = []
  // Podman raises RLIMIT_NOFILE to 1048576 in the container; without CAP_SYS_RESOURCE that fails (see src/tiers/container/podman.ts).
  const hardNofile = /^Max open files\s+\S+\s+(\S+)/m.exec(limits ?? '')?.[1]
  const st = status ? parseProcStatus(status) : undefined
  const noSysResource = st?.capBnd !== undefined && ((st.capBnd >> 24n) & 1n) === 0n
  if (hardNofile) ev.push(evidence('/proc/self/limits', `hard nofile ${hardNofile}`))
  if (noSysResource && hardNofile !== 'unlimited' && Number(hardNofile) < 1048576) notes.push(`hard nofile limit ${hardNofile} without CAP_SYS_RESOURCE: pass --ulimit nofile=${hardNofile}:${hardNofile} --ulimit nproc=4096:4096`)
  if (cg.mode === 'hybrid') notes.push('hybrid cgroups: use --runtime runc (crun refuses hybrid mode)')
  if (notes.length) return warn({ ...h, facts: { installed: true, traps: notes.length } }, `${ver ?? 'installed'}; works only with: ${notes.join('; ')}`, ev, { summary: notes.join('. ') + '. virtcheck passes these flags itself.' })
  return pass({ ...h, facts: { installed: true } }, ver ?? 'installed', ev)
}

const simpleTool = async (host: Host, id: string, title: string, names: readonly string[], debianPackage: string): Promise<Finding> => {
  const h = head(id, title)
  const found = (await Promise.all(names.map(async (n) => [n, await which(host, n)] as const))).filter(([, p]) => p !== undefined) as [string, string][]
  if (found.length === 0) return notInstalled(h, names.join(', no '), debianPackage)
  const vers = await Promise.all(found.map(async ([n, p]) => [n, await versionLine(host, [p, '--version'])] as const))
  const words = vers.map(([n, v]) => `${n} ${v?.match(/(\d+\.\d+(\.\d+)?)/)?.[1] ?? ''}`.trim())
  return pass({ ...h, facts: { installed: true, tools: found.map(([n]) => n).join(',') } }, words.join(', '), vers.map(([n, v]) => evidence(n, v ?? 'version unknown')))
}

const busybox = async (host: Host): Promise<Finding> => {
  const h = head('busybox', 'Static busybox (container and guest userland)')
  const bin = await which(host, 'busybox')
  if (!bin) return { ...notInstalled(h, 'busybox', 'busybox-static'), summary: 'not installed (containers and guests use the static vcwork alone)', facts: { installed: false, static: false } }
  const b = await host.readBytes(bin, 0, 4096)
  const elf = b.kind === 'ok' ? parseElf(b.bytes) : undefined
  const ev = [evidence(bin, elf ? `${elf.machine} ELF, ${elf.static ? 'static' : 'dynamically linked'}` : 'not readable as ELF')]
  if (elf && !elf.static)
    return warn({ ...h, facts: { installed: true, static: false } }, 'installed but dynamically linked: unusable inside a minimal rootfs', ev, { summary: 'Install the static build.', commands: ['sudo apt-get install busybox-static'] })
  return pass({ ...h, facts: { installed: true, static: elf?.static ?? null } }, `${bin}${elf?.static ? ' (static)' : ''}`, ev)
}

/** Guest kernels: the running kernel's image, other /boot images, and virtcheck's own cache. */
const guestKernel = async (host: Host, env: ProbeEnv): Promise<Finding> => {
  const h = head('guest-kernel', 'Bootable guest kernel for the QEMU tiers')
  const r = host.identity.kernelRelease
  const boot = await host.list('/boot')
  const bootImgs = boot.kind === 'ok' ? boot.entries.filter((e) => /^(vmlinuz|vmlinux|bzImage|Image)/.test(e)).map((e) => `/boot/${e}`) : []
  const cached = (await Promise.all(env.kernelCacheDirs.map(async (d) => { const l = await host.list(d); return l.kind === 'ok' ? l.entries.filter((e) => !e.startsWith('.')).map((e) => `${d}/${e}`) : [] }))).flat()
  const candidates = [...new Set([`/boot/vmlinuz-${r}`, ...bootImgs, ...cached])]
  const readable = (await Promise.all(candidates.map(async (c) => ((await host.open(c, 'r')).kind === 'ok' ? c : undefined)))).filter((c): c is string => c !== undefined)
  const ev: Evidence[] = [
    evidence('/boot', boot.kind === 'ok' ? bootImgs.join(' ') || 'no kernel images' : boot.kind),
    evidence('kernel cache', env.kernelCacheDirs.length ? `${env.kernelCacheDirs.join(', ')}: ${cached.length} entries` : 'not consulted'),
  ]
  if (readable.length) return pass({ ...h, facts: { kernel: readable[0] ?? null, count: readable.length } }, `${readable[0]}${readable.length > 1 ? ` (+${readable.length - 1} more)` : ''}`, ev)
  const unreadable = candidates.filter((c) => bootImgs.includes(c))
  return warn({ ...h, facts: { kernel: null, count: 0 } }, unreadable.length ? `kernel images exist but are not readable by uid ${host.identity.uid} (${unreadable[0]})` : 'none found', ev, {
    summary: '`virtcheck setup` downloads Debian\'s cloud kernel into the cache; or pass --kernel PATH.',
    commands: ['virtcheck setup'],
  })
}

export const softwareProbe: Probe = {
  id: 'software',
  area: 'software',
  reads: ['PATH directories (stat)', '/boot', '/proc/self/limits', 'kernel cache folders'],
  runs: [['qemu-system-x86_64', '--version'], ['qemu-system-x86_64', '-accel', 'help'], ['docker', 'info', '--format', '…'], ['<tool>', '--version']],
  async check(host, env = { kernelCacheDirs: [] }) {
    return Promise.all([
      qemuSystem(host, 'x86_64'),
      qemuSystem(host, 'aarch64'),
      qemuUser(host),
      docker(host),
      podman(host),
      simpleTool(host, 'lxc', 'LXC (lxc-execute)', ['lxc-execute'], 'lxc'),
      simpleTool(host, 'oci-runtimes', 'OCI runtimes (runc, crun) and sandboxes (gVisor runsc, Kata)', ['runc', 'crun', 'runsc', 'kata-runtime'], 'runc'),
      simpleTool(host, 'systemd-nspawn', 'systemd-nspawn', ['systemd-nspawn'], 'systemd-container'),
      simpleTool(host, 'criu', 'CRIU (checkpoint/restore)', ['criu'], 'criu'),
      busybox(host),
      guestKernel(host, env),
    ])
  },
}
