/**
 * `virtcheck setup [--yes] [--with docker,podman,lxc,cross,aarch64-kernel]`: install what the tiers
 * need through apt-get, after showing the plan and asking (on a TTY; without one, --yes is required),
 * then fetch a guest kernel into virtcheck's cache. Never changes mounts, sysctls or binfmt.
 */
import { createInterface } from 'node:readline/promises'
import { execa } from 'execa'
import { EXIT, UsageError } from '../../core/errors.js'
import { ensureAarch64Guest, ensureGuestKernel } from '../../guest/index.js'
import type { Command, CliContext } from '../context.js'
import { flagBool, flagList, parseFlags } from '../parse-flags.js'

export const EXTRAS = ['docker', 'podman', 'lxc', 'cross', 'aarch64-kernel'] as const
export type Extra = (typeof EXTRAS)[number]

/** What each tier family needs (Debian package names). */
export const BASE_PACKAGES = [
  'qemu-system-x86',
  'qemu-system-arm',
  'qemu-user-static',
  'busybox-static',
  'cpio',
  'lz4',
  'xz-utils',
  'kmod',
  'iproute2',
  'util-linux',
  'runc',
] as const
export const EXTRA_PACKAGES: Record<Extra, readonly string[]> = {
  docker: ['docker.io'],
  podman: ['podman', 'runc'],
  lxc: ['lxc'],
  cross: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
  'aarch64-kernel': [],
}

export interface SetupPlan {
  readonly install: readonly string[]
  readonly alreadyInstalled: readonly string[]
  readonly guestKernel: boolean
  /** Fetch the arm64 guest (kernel + busybox-static:arm64) for emu-aarch64 mode=system. */
  readonly aarch64Guest: boolean
  readonly notes: readonly string[]
}

/** Pure: which packages to install given what dpkg says is installed. */
export const planSetup = (extras: readonly Extra[], installed: ReadonlySet<string>): SetupPlan => {
  const wanted = [...new Set([...BASE_PACKAGES, ...extras.flatMap((e) => EXTRA_PACKAGES[e])])]
  const notes: string[] = []
  return {
    install: wanted.filter((p) => !installed.has(p)),
    alreadyInstalled: wanted.filter((p) => installed.has(p)),
    guestKernel: process.arch === 'x64',
    aarch64Guest: extras.includes('aarch64-kernel'),
    notes,
  }
}

const installedPackages = async (pkgs: readonly string[]): Promise<Set<string>> => {
  const r = await execa('dpkg-query', ['-W', '-f', '${Package} ${Status}\n', ...pkgs], { reject: false, timeout: 20_000 })
  return new Set(
    String(r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0] ?? ''),
  )
}

const USAGE = `usage: virtcheck setup [--yes] [--with docker,podman,lxc,cross,aarch64-kernel]

Installs what the benchmark tiers need through apt-get (QEMU, qemu-user-static, busybox-static,
cpio, lz4, xz-utils, kmod, runc; optional: docker, podman, lxc, the aarch64 cross compiler), after
showing the plan and asking; then downloads Debian's generic kernel into virtcheck's cache for the
QEMU guests (apt-get download + dpkg -x, nothing is installed into /boot or /lib/modules).
It never changes mounts, sysctls or binfmt_misc.

options:
  --yes         do not ask (required when stdin is not a terminal)
  --with LIST   also install: ${EXTRAS.join(', ')}`

export const setupCommand: Command = {
  name: 'setup',
  summary: 'install what the tiers need (QEMU, busybox-static, guest kernel...) through apt, asking first',
  usage: USAGE,
  run: async (args: readonly string[], ctx: CliContext) => {
    const p = parseFlags('setup', args, { yes: { type: 'boolean' }, with: { type: 'string' } })
    const extras = flagList('setup', p, 'with', EXTRAS) ?? []
    const yes = flagBool(p, 'yes')
    const wanted = [...BASE_PACKAGES, ...extras.flatMap((e) => EXTRA_PACKAGES[e])]
    const plan = planSetup(extras, await installedPackages(wanted))
    ctx.out.write('virtcheck setup plan:\n')
    ctx.out.write(`  apt-get install: ${plan.install.length ? plan.install.join(' ') : '(nothing, all installed)'}\n`)
    if (plan.alreadyInstalled.length) ctx.out.write(`  already installed: ${plan.alreadyInstalled.join(' ')}\n`)
    if (plan.guestKernel) ctx.out.write("  guest kernel: Debian's linux-image-amd64 into virtcheck's cache (if not cached yet)\n")
    if (plan.aarch64Guest)
      ctx.out.write("  aarch64 guest: Debian's linux-image-cloud-arm64 + busybox-static:arm64 into virtcheck's cache (private apt state; dpkg's architectures unchanged)\n")
    for (const n of plan.notes) ctx.out.write(`  note: ${n}\n`)
    const isTTY = process.stdin.isTTY === true
    if (!yes && !isTTY) throw new UsageError('setup: stdin is not a terminal, so it cannot ask', 'rerun with --yes to apply the plan above')
    if (plan.install.length > 0 && process.getuid?.() !== 0) throw new UsageError('setup: installing packages needs root', 'rerun as root (sudo virtcheck setup)')
    if (!yes) {
      const rl = createInterface({ input: process.stdin, output: process.stderr })
      const answer = await rl.question('Proceed? [y/N] ')
      rl.close()
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.err.write('nothing changed\n')
        return EXIT.ok
      }
    }
    if (plan.install.length > 0) {
      const r = await execa('apt-get', ['install', '-y', '--no-install-recommends', ...plan.install], {
        reject: false,
        timeout: 30 * 60_000,
        env: { DEBIAN_FRONTEND: 'noninteractive' },
        stdout: ['pipe'],
        stderr: ['pipe'],
        cancelSignal: ctx.signal,
        all: true,
      })
      if (r.exitCode !== 0) {
        ctx.err.write(String(r.all ?? '').trim().split('\n').slice(-10).join('\n') + '\n')
        ctx.err.write(`apt-get install failed (exit ${r.exitCode ?? '?'})\n`)
        return EXIT.failed
      }
      ctx.out.write(`installed: ${plan.install.join(' ')}\n`)
    }
    if (plan.guestKernel) {
      const k = await ensureGuestKernel({ log: (l) => ctx.err.write(l + '\n'), signal: ctx.signal })
      if (k.kind === 'failed') {
        ctx.err.write(`guest kernel: ${k.reason}\n`)
        return EXIT.failed
      }
      ctx.out.write(`guest kernel: ${k.release} (${k.flavour}) at ${k.path}${k.downloaded ? ' (downloaded)' : ' (already cached)'}\n`)
    }
    if (plan.aarch64Guest) {
      const a = await ensureAarch64Guest({ log: (l) => ctx.err.write(l + '\n'), signal: ctx.signal })
      if (a.kind === 'failed') {
        ctx.err.write(`aarch64 guest: ${a.reason}\n`)
        return EXIT.failed
      }
      ctx.out.write(`aarch64 guest: ${a.release} (${a.flavour}) at ${a.kernelPath}${a.downloaded ? ' (downloaded)' : ' (already cached)'}\n`)
    }
    return EXIT.ok
  },
}
