/**
 * Descriptive host context for reports (never the basis of a verdict): read from files the Host can
 * read (/proc/cpuinfo, /proc/meminfo, /etc/os-release, the clocksource), so live hosts and snapshots
 * take the same path. No helper library: systeminformation spawned ~15 processes (hostname -f, lscpu,
 * cat, dmesg | grep, which, ip link) for these four facts, most of `virtcheck probe`'s time.
 * virtRole comes from the environment findings.
 */
import type { Finding } from '../core/finding.js'
import type { Host } from '../core/host.js'
import type { HostContext } from '../core/report.js'
import { parseCpuinfo } from '../parse/cpuinfo.js'
import { parseMeminfo, parseOsRelease } from '../parse/kv.js'

/** `vm (kvm, nested PVM)`, `container (docker) on vm (kvm)`, `bare metal`. */
export const virtRoleFrom = (findings: readonly Finding[]): string => {
  const f = (id: string) => findings.find((x) => x.id === id)
  const vm = f('environment.vm')?.facts
  const ct = f('environment.container')?.facts
  const cvm = f('environment.confidential-guest')?.facts?.['cvm']
  const kvm = f('kvm.module')?.facts?.['kind'] === 'pvm' ? ', PVM host' : ''
  const vmWords =
    vm?.['role'] === 'vm'
      ? `vm (${String(vm['vendor'] ?? 'unknown')}${cvm ? `, ${String(cvm)}` : ''}${kvm})`
      : vm?.['role'] === 'bare-metal'
        ? `bare metal${kvm}`
        : 'unknown'
  return ct?.['role'] === 'container' ? `container (${String(ct['container'])}) on ${vmWords}` : vmWords
}

interface FileFacts {
  readonly cpuModel: string
  readonly cpuCores: number
  readonly memoryBytes: number
  readonly distro: string
}

const fromFiles = async (host: Host): Promise<FileFacts> => {
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
export const startHostContext = (host: Host): ((findings: readonly Finding[]) => Promise<HostContext>) => {
  const filesP = fromFiles(host)
  const clockP = host.read('/sys/devices/system/clocksource/clocksource0/current_clocksource')
  return async (findings) => {
    const [base, clock] = await Promise.all([filesP, clockP])
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
