/**
 * Shared, memoized fact gathering for probes: several probes need /proc/cpuinfo, raw CPUID, the kernel
 * log or the kernel config; each is read once per Host (and so recorded once in a snapshot).
 * Every getter returns data plus, when it could not look, the reason in words (never throws).
 */
import type { Host } from '../../src/core/host.js'
import { describeFailure, describeOutcome, type CommandOutcome } from '../../src/core/host.js'
import { toolSearchDirs } from '../../src/core/tool-search.js'
import { parseCpuinfo, type CpuInfo } from '../../src/parse/cpuinfo.js'
import { scanDmesg, type DmesgFact } from '../../src/parse/dmesg.js'
import { decodeConfigBytes, parseKconfig, type Kconfig } from '../../src/parse/kconfig.js'
import { parseCmdline } from '../../src/parse/kv.js'
import {
  decodeCpuid,
  parseCpuidDump,
  parseKvmProbe,
  parseUsernsProbe,
  type CpuidFacts,
  type KvmProbe,
  type UsernsProbe,
} from '../../src/parse/vcprobe.js'

const cache = new WeakMap<Host, Map<string, Promise<unknown>>>()

export const memo = <T>(host: Host, key: string, fn: () => Promise<T>): Promise<T> => {
  let m = cache.get(host)
  if (!m) cache.set(host, (m = new Map()))
  const hit = m.get(key)
  if (hit) return hit as Promise<T>
  const p = fn()
  m.set(key, p)
  return p
}

export type Got<T> = { readonly kind: 'ok'; readonly value: T; readonly source: string } | { readonly kind: 'failed'; readonly why: string }

export const isX86 = (host: Host): boolean => /^(x86_64|i[3-6]86)$/.test(host.identity.arch)
export const isArm64 = (host: Host): boolean => host.identity.arch === 'aarch64'

export const text = async (host: Host, path: string): Promise<string | undefined> => {
  const r = await memo(host, 'read:' + path, () => host.read(path))
  return r.kind === 'ok' ? r.text : undefined
}

export const readGot = async (host: Host, path: string): Promise<Got<string>> => {
  const r = await memo(host, 'read:' + path, () => host.read(path))
  return r.kind === 'ok' ? { kind: 'ok', value: r.text, source: path } : { kind: 'failed', why: `${path}: ${describeFailure(r)}` }
}

export const exists = async (host: Host, path: string): Promise<boolean> => {
  const s = await memo(host, 'stat:' + path, () => host.stat(path))
  return s.kind === 'ok'
}

export const statOf = (host: Host, path: string) => memo(host, 'stat:' + path, () => host.stat(path))

export const cpuinfo = (host: Host): Promise<Got<CpuInfo>> =>
  memo(host, 'cpuinfo', async () => {
    const r = await readGot(host, '/proc/cpuinfo')
    return r.kind === 'ok' ? { kind: 'ok' as const, value: parseCpuinfo(r.value), source: '/proc/cpuinfo' } : r
  })

export const cmdline = async (host: Host): Promise<ReadonlyMap<string, string>> => parseCmdline((await text(host, '/proc/cmdline')) ?? '')

/** A module parameter (works for built-in modules with parameters too). */
export const moduleParam = (host: Host, mod: string, param: string): Promise<string | undefined> =>
  text(host, `/sys/module/${mod}/parameters/${param}`).then((t) => t?.trim())

export const moduleLoaded = (host: Host, mod: string): Promise<boolean> => exists(host, `/sys/module/${mod}`)

/**
 * Run a helper command once per host (bounded; a live host scales the bound by its slowness).
 * `cacheByBinary`: the output depends only on the binary, so a live host may answer from its cache.
 */
export const runOnce = (host: Host, argv: readonly string[], timeoutMs = 3000, o: { cacheByBinary?: boolean } = {}) =>
  memo(host, 'run:' + JSON.stringify(argv), () => host.run(argv, { timeoutMs, ...(o.cacheByBinary ? { cacheByBinary: true } : {}) }))

/**
 * `vcprobe all` (cpuid, kvm and userns in one spawn) split into its sections. Undefined when the helper
 * or a snapshot does not know `all` (older builds, older snapshots): then each subcommand runs alone.
 * A timeout is kept as the answer for every section, so a slow host does not wait twice.
 */
const vcprobeAll = (host: Host): Promise<{ sections: Record<string, unknown> } | { outcome: CommandOutcome } | undefined> =>
  memo(host, 'vcprobe-all', async () => {
    const o = await runOnce(host, ['@vcprobe', 'all'])
    if (o.kind === 'timed-out' || o.kind === 'killed') return { outcome: o }
    if (o.kind !== 'exited' || o.exitCode !== 0) return undefined
    try {
      const d = JSON.parse(o.stdout) as unknown
      return typeof d === 'object' && d !== null && !Array.isArray(d) ? { sections: d as Record<string, unknown> } : undefined
    } catch {
      return undefined
    }
  })

const helperJson = async <T>(host: Host, sub: string, parse: (t: string) => T | undefined): Promise<Got<T>> => {
  const all = await vcprobeAll(host)
  if (all && 'sections' in all && all.sections[sub] !== undefined) {
    const v = parse(JSON.stringify(all.sections[sub]))
    if (v !== undefined) return { kind: 'ok', value: v, source: `vcprobe ${sub}` }
  }
  const o = all && 'outcome' in all ? all.outcome : await runOnce(host, ['@vcprobe', sub])
  if (o.kind !== 'exited')
    return {
      kind: 'failed',
      why: `vcprobe ${sub}: ${describeOutcome(o)}${o.kind === 'not-found' ? ' (run `node workloads/build.mjs`)' : ''}`,
    }
  if (o.exitCode !== 0) return { kind: 'failed', why: `vcprobe ${sub}: exit ${o.exitCode}: ${o.stderr.trim().split('\n')[0] ?? ''}` }
  const v = parse(o.stdout)
  return v === undefined ? { kind: 'failed', why: `vcprobe ${sub}: unreadable output` } : { kind: 'ok', value: v, source: `vcprobe ${sub}` }
}

/** Raw CPUID executed by the helper (not filtered by the kernel). x86 only. */
export const cpuid = (host: Host): Promise<Got<CpuidFacts>> =>
  memo(host, 'cpuid', async () => {
    if (!isX86(host)) return { kind: 'failed' as const, why: `CPUID does not exist on ${host.identity.arch}` }
    const r = await helperJson(host, 'cpuid', parseCpuidDump)
    return r.kind === 'ok' ? { kind: 'ok' as const, value: decodeCpuid(r.value), source: 'CPUID (vcprobe cpuid)' } : r
  })

export const kvmProbe = (host: Host): Promise<Got<KvmProbe>> => memo(host, 'kvmprobe', () => helperJson(host, 'kvm', parseKvmProbe))
export const usernsProbe = (host: Host): Promise<Got<UsernsProbe>> =>
  memo(host, 'usernsprobe', () => helperJson(host, 'userns', parseUsernsProbe))

/** The kernel log via `dmesg` (denied when kernel.dmesg_restrict=1 and not root). */
export const dmesg = (host: Host): Promise<Got<Partial<Record<DmesgFact, string>>>> =>
  memo(host, 'dmesg', async () => {
    const o = await runOnce(host, ['dmesg'])
    if (o.kind !== 'exited') return { kind: 'failed' as const, why: `dmesg: ${describeOutcome(o)}` }
    if (o.exitCode !== 0)
      return {
        kind: 'failed' as const,
        why: `dmesg: ${o.stderr.trim().split('\n')[0] || 'exit ' + o.exitCode}${host.identity.uid !== 0 ? ' (needs root when kernel.dmesg_restrict=1)' : ''}`,
      }
    return { kind: 'ok' as const, value: scanDmesg(o.stdout), source: 'dmesg' }
  })

/** The kernel build config: /proc/config.gz, then /boot/config-$r and the other usual places. */
export const kconfig = (host: Host): Promise<Got<Kconfig>> =>
  memo(host, 'kconfig', async () => {
    const gz = await host.readBytes('/proc/config.gz', 0, 1 << 20)
    if (gz.kind === 'ok' && gz.bytes.length > 0) {
      const t = decodeConfigBytes(gz.bytes)
      if (t !== undefined) return { kind: 'ok' as const, value: parseKconfig(t), source: '/proc/config.gz' }
    }
    const r = host.identity.kernelRelease
    for (const p of [`/boot/config-${r}`, `/lib/modules/${r}/config`, `/usr/lib/modules/${r}/config`, `/lib/modules/${r}/build/.config`]) {
      const t = await text(host, p)
      if (t !== undefined) return { kind: 'ok' as const, value: parseKconfig(t), source: p }
    }
    return { kind: 'failed' as const, why: 'kernel config not found (/proc/config.gz, /boot/config-' + r + ')' }
  })

/** Find a command by stat (no spawn) with the one search rule the tiers share (src/core/tool-search.ts); returns its path. */
export const which = (host: Host, name: string): Promise<string | undefined> =>
  memo(host, 'which:' + name, async () => {
    const hits = await Promise.all(
      toolSearchDirs(host.toolPath).map(async (d) => ((await statOf(host, `${d}/${name}`)).kind === 'ok' ? `${d}/${name}` : undefined)),
    )
    return hits.find((h) => h !== undefined)
  })

/**
 * First line of a `--version` style command. When it cannot be had, `why` says so in words
 * (`timed out after 3000 ms`, `exit 127`) and `timedOut` tells a slow host from a broken tool.
 */
export const versionOf = async (
  host: Host,
  argv: readonly string[],
  timeoutMs = 3000,
): Promise<{ line: string; why?: undefined; timedOut?: undefined } | { line?: undefined; why: string; timedOut: boolean }> => {
  const o = await runOnce(host, argv, timeoutMs, { cacheByBinary: true })
  if (o.kind !== 'exited' || o.exitCode !== 0) return { why: `${argv.join(' ')}: ${describeOutcome(o)}`, timedOut: o.kind === 'timed-out' }
  const line = (o.stdout.trim() || o.stderr.trim()).split('\n')[0]?.trim()
  return line ? { line } : { why: `${argv.join(' ')}: no output`, timedOut: false }
}

/** First line of a `--version` style command, or undefined. */
export const versionLine = async (host: Host, argv: readonly string[], timeoutMs = 3000): Promise<string | undefined> =>
  (await versionOf(host, argv, timeoutMs)).line

/** PID 1, so a fix says `systemctl` only where systemd runs (sd_booted: /run/systemd/system exists). */
export const initSystem = (host: Host): Promise<{ readonly comm: string | undefined; readonly systemd: boolean }> =>
  memo(host, 'init-system', async () => {
    const [comm, sd] = await Promise.all([text(host, '/proc/1/comm'), exists(host, '/run/systemd/system')])
    return { comm: comm?.trim() || undefined, systemd: sd || comm?.trim() === 'systemd' }
  })
