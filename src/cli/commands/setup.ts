/**
 * `virtcheck setup [--yes] [--with docker,aarch64-kernel] [--without podman,lxc]`: install what the tiers
 * need through apt-get, after showing the plan and asking (on a TTY; without one, --yes is required),
 * then fetch a guest kernel into virtcheck's cache. By default that readies every tier this host can run
 * without a daemon: QEMU (tcg-*, kvm-*), qemu-user + the aarch64 vcwork (emu-aarch64), runc, podman and
 * lxc. Run from source, it also installs the compilers and builds the helpers for both architectures
 * (the packaged executable carries them). Never changes mounts, sysctls or binfmt, and never starts a
 * daemon: for docker it says how to start one.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { execa } from 'execa'
import { EXIT, UsageError } from '../../core/errors.js'
import { ensureAarch64Guest, ensureGuestKernel } from '../../guest/index.js'
import { isPackagedExecutable, PACKAGE_ROOT } from '../../host/paths.js'
import type { Command, CliContext } from '../context.js'
import { flagBool, flagList, parseFlags } from '../parse-flags.js'

export const EXTRAS = ['docker', 'podman', 'lxc', 'cross', 'aarch64-kernel'] as const
export type Extra = (typeof EXTRAS)[number]
/** Installed unless --without names them: the tiers that need no daemon and no extra download. */
export const DEFAULT_EXTRAS: readonly Extra[] = ['podman', 'lxc']

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
/** From source only: the compilers for vcwork/vcprobe on both architectures (workloads/build.mjs). */
export const SOURCE_BUILD_PACKAGES = ['gcc', 'libc6-dev', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'] as const
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
  /** Build vcwork/vcprobe for both architectures once the compilers are there (from source). */
  readonly buildHelpers: boolean
  /** Check that a docker engine answers, and say how to start one if not. */
  readonly checkDocker: boolean
  readonly notes: readonly string[]
}

export interface PlanInput {
  readonly with: readonly Extra[]
  readonly without: readonly Extra[]
  /** Run from a source checkout (needs the compilers) rather than the packaged executable. */
  readonly fromSource: boolean
  readonly nodeArch?: string
}

/** Every Debian package the plan may want, for the dpkg query. */
export const wantedPackages = (input: PlanInput): string[] => {
  const extras = [...DEFAULT_EXTRAS, ...input.with].filter((e) => !input.without.includes(e))
  return [...new Set([...BASE_PACKAGES, ...(input.fromSource ? SOURCE_BUILD_PACKAGES : []), ...extras.flatMap((e) => EXTRA_PACKAGES[e])])]
}

/** Pure: which packages to install given what dpkg says is installed. */
export const planSetup = (input: PlanInput, installed: ReadonlySet<string>): SetupPlan => {
  const wanted = wantedPackages(input)
  const notes: string[] = []
  const docker = input.with.includes('docker') && !input.without.includes('docker')
  if (docker)
    notes.push('virtcheck runs its docker containers with --network none and imports its image from its own rootfs (no registry pull)')
  return {
    install: wanted.filter((p) => !installed.has(p)),
    alreadyInstalled: wanted.filter((p) => installed.has(p)),
    guestKernel: (input.nodeArch ?? process.arch) === 'x64',
    aarch64Guest: input.with.includes('aarch64-kernel'),
    buildHelpers: input.fromSource,
    checkDocker: docker,
    notes,
  }
}

/**
 * How to start a docker engine on this host when none answers. Without systemd as PID 1 there is no
 * service manager to ask, so the daemon is started by hand; --iptables=false --bridge=none keep it from
 * creating a bridge or NAT rules on the host (virtcheck's containers use --network none anyway).
 */
export const dockerStartHint = (pid1: string): string =>
  pid1 === 'systemd'
    ? 'start it with: systemctl start docker'
    : `PID 1 here is ${pid1 || 'unknown'}, not systemd, so start the daemon by hand: ` +
      'dockerd --iptables=false --bridge=none >/var/log/dockerd.log 2>&1 &'

const installedPackages = async (pkgs: readonly string[]): Promise<Set<string>> => {
  const r = await execa('dpkg-query', ['-W', '-f', '${Package} ${Status}\n', ...pkgs], { reject: false, timeout: 20_000 })
  return new Set(
    String(r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0] ?? ''),
  )
}

const readPid1Name = (): string => {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim()
  } catch {
    return ''
  }
}

const USAGE = `usage: virtcheck setup [--yes] [--with LIST] [--without LIST]

Installs what the benchmark tiers need through apt-get, after showing the plan and asking: QEMU,
qemu-user-static, busybox-static, cpio, lz4, xz-utils, kmod, runc, podman and lxc; from a source
checkout also gcc and the aarch64 cross compiler, and then builds vcwork/vcprobe for both
architectures (the packaged executable carries them). Then downloads Debian's generic kernel into
virtcheck's cache for the QEMU guests (apt-get download + dpkg -x, nothing is installed into /boot
or /lib/modules). It never changes mounts, sysctls or binfmt_misc, and never starts a daemon.

options:
  --yes            do not ask (required when stdin is not a terminal)
  --with LIST      also: docker (docker.io; says how to start its engine), aarch64-kernel (an arm64
                   guest for emu-aarch64 mode=system), cross (the aarch64 cross compiler)
  --without LIST   leave out a default: ${DEFAULT_EXTRAS.join(', ')}`

export const setupCommand: Command = {
  name: 'setup',
  summary: 'install what the tiers need (QEMU, busybox-static, guest kernel...) through apt, asking first',
  usage: USAGE,
  run: async (args: readonly string[], ctx: CliContext) => {
    const p = parseFlags('setup', args, { yes: { type: 'boolean' }, with: { type: 'string' }, without: { type: 'string' } })
    const input: PlanInput = {
      with: flagList('setup', p, 'with', EXTRAS) ?? [],
      without: flagList('setup', p, 'without', DEFAULT_EXTRAS) ?? [],
      fromSource: !isPackagedExecutable(),
    }
    const yes = flagBool(p, 'yes')
    const plan = planSetup(input, await installedPackages(wantedPackages(input)))
    ctx.out.write('virtcheck setup plan:\n')
    ctx.out.write(`  apt-get install: ${plan.install.length ? plan.install.join(' ') : '(nothing, all installed)'}\n`)
    if (plan.alreadyInstalled.length) ctx.out.write(`  already installed: ${plan.alreadyInstalled.join(' ')}\n`)
    if (plan.guestKernel) ctx.out.write("  guest kernel: Debian's linux-image-amd64 into virtcheck's cache (if not cached yet)\n")
    if (plan.buildHelpers) ctx.out.write('  build: vcwork and vcprobe for x86_64 and aarch64 (workloads/build.mjs)\n')
    if (plan.checkDocker) ctx.out.write('  docker: check that an engine answers (setup never starts one)\n')
    if (plan.aarch64Guest)
      ctx.out.write(
        "  aarch64 guest: Debian's linux-image-cloud-arm64 + busybox-static:arm64 into virtcheck's cache (private apt state; dpkg's architectures unchanged)\n",
      )
    for (const n of plan.notes) ctx.out.write(`  note: ${n}\n`)
    const isTTY = process.stdin.isTTY === true
    if (!yes && !isTTY) throw new UsageError('setup: stdin is not a terminal, so it cannot ask', 'rerun with --yes to apply the plan above')
    if (plan.install.length > 0 && process.getuid?.() !== 0)
      throw new UsageError('setup: installing packages needs root', 'rerun as root (sudo virtcheck setup)')
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
        ctx.err.write(
          String(r.all ?? '')
            .trim()
            .split('\n')
            .slice(-10)
            .join('\n') + '\n',
        )
        ctx.err.write(`apt-get install failed (exit ${r.exitCode ?? '?'})\n`)
        return EXIT.failed
      }
      ctx.out.write(`installed: ${plan.install.join(' ')}\n`)
    }
    if (plan.buildHelpers) {
      // After the install: the README's first command builds before setup put the cross compiler there.
      const b = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'workloads', 'build.mjs')], { encoding: 'utf8', timeout: 10 * 60_000 })
      const lines = String(b.stderr ?? '').trim()
      if (b.status !== 0) {
        ctx.err.write(`${lines || b.error?.message || 'no output'}\nbuilding the helpers failed (exit ${b.status ?? '?'})\n`)
        return EXIT.failed
      }
      ctx.out.write(
        `helpers: ${
          lines
            ? lines
                .split('\n')
                .map((l) => l.replace(/^vcwork build: /, ''))
                .join('; ')
            : 'up to date'
        }\n`,
      )
    }
    if (plan.checkDocker) {
      const v = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 10_000 })
      if (v.exitCode === 0) ctx.out.write(`docker: engine ${String(v.stdout).trim()} answers\n`)
      else {
        const why =
          String(v.stderr ?? '')
            .trim()
            .split('\n')
            .slice(-1)[0] || (v.timedOut ? 'timed out after 10000 ms' : 'no answer')
        ctx.out.write(`docker: no engine answers (${why}); ${dockerStartHint(readPid1Name())}\n`)
      }
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
      ctx.out.write(
        `aarch64 guest: ${a.release} (${a.flavour}) at ${a.kernelPath}${a.downloaded ? ' (downloaded)' : ' (already cached)'}\n`,
      )
    }
    return EXIT.ok
  },
}
