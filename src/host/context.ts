/**
 * Descriptive host context for reports (never the basis of a verdict). Live hosts ask
 * systeminformation, bounded in time; snapshot hosts (and a timed-out systeminformation) use what the
 * Host itself can read: /proc/cpuinfo, /proc/meminfo, /etc/os-release. virtRole comes from the
 * environment findings.
 */
import type { Finding } from '../core/finding.js'
import type { Host } from '../core/host.js'
import type { HostContext } from '../core/report.js'
import { parseCpuinfo } from '../parse/cpuinfo.js'
import { parseMeminfo, parseOsRelease } from '../parse/kv.js'

export interface HostContextOptions {
  /** Use systeminformation (live hosts only). @default true for origin 'live' */
  readonly systeminformation?: boolean
  /** Bound for systeminformation. @default 1500 */
  readonly timeoutMs?: number
}

/** `vm (kvm, nested PVM)`, `container (docker) on vm (kvm)`, `bare metal`. */
export const virtRoleFrom = (findings: readonly Finding[]): string => {
  const f = (id: string) => findings.find((x) => x.id === id)
  const vm = f('environment.vm')?.facts
  const ct = f('environment.container')?.facts
  const cvm = f('environment.confidential-guest')?.facts?.['cvm']
  const kvm = f('kvm.module')?.facts?.['kind'] === 'pvm' ? ', PVM host' : ''
  const vmWords = vm?.['role'] === 'vm' ? `vm (${String(vm['vendor'] ?? 'unknown')}${cvm ? `, ${String(cvm)}` : ''}${kvm})` : vm?.['role'] === 'bare-metal' ? `bare metal${kvm}` : 'unknown'
  return ct?.['role'] === 'container' ? `container (${String(ct['container'])}) on ${vmWords}` : vmWords
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
  new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms)
    t.unref?.()
    p.then(
      (v) => {
        clearTimeout(t)
        resolve(v)
      },
      () => {
        clearTimeout(t)
        resolve(undefined)
      },
    )
  })

interface SiFacts {
  readonly cpuModel: string
  readonly cpuCores: number
  readonly memoryBytes: number
  readonly distro: string
}

const fromSysteminformation = async (): Promise<SiFacts> => {
  const si = (await import('systeminformation')).default
  const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()])
  return {
    cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim(),
    cpuCores: cpu.cores,
    memoryBytes: mem.total,
    distro: `${os.distro} ${os.release}`.trim(),
  }
}

const fromFiles = async (host: Host): Promise<SiFacts> => {
  const [ci, mi, os] = await Promise.all([host.read('/proc/cpuinfo'), host.read('/proc/meminfo'), host.read('/etc/os-release')])
  const cpu = ci.kind === 'ok' ? parseCpuinfo(ci.text) : undefined
  const mem = mi.kind === 'ok' ? parseMeminfo(mi.text).get('MemTotal') : undefined
  const osr = os.kind === 'ok' ? parseOsRelease(os.text) : undefined
  return {
    cpuModel: cpu?.modelName ?? 'unknown',
    cpuCores: cpu?.processors ?? 0,
    memoryBytes: mem !== undefined ? mem * 1024 : 0,
    distro: osr?.get('PRETTY_NAME') ?? osr?.get('NAME') ?? 'unknown',
  }
}

/** Start this early (it runs concurrently with the probes) and await it when the findings are in. */
export const startHostContext = (host: Host, opts: HostContextOptions = {}): ((findings: readonly Finding[]) => Promise<HostContext>) => {
  const useSi = opts.systeminformation ?? host.origin === 'live'
  const siP = useSi ? withTimeout(fromSysteminformation(), opts.timeoutMs ?? 1500) : Promise.resolve(undefined)
  const filesP = fromFiles(host)
  return async (findings) => {
    const [si, files] = await Promise.all([siP, filesP])
    const base = si ?? files
    const clock = await host.read('/sys/devices/system/clocksource/clocksource0/current_clocksource')
    return {
      hostname: host.identity.hostname,
      cpuModel: base.cpuModel,
      cpuCores: base.cpuCores,
      memoryBytes: base.memoryBytes,
      kernel: host.identity.kernelRelease,
      distro: base.distro,
      arch: host.identity.arch,
      virtRole: virtRoleFrom(findings),
      nodeVersion: process.version,
      ...(clock.kind === 'ok' ? { clocksource: clock.text.trim() } : {}),
    }
  }
}
