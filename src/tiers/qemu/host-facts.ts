/**
 * What the QEMU tiers need to know about this host before booting (I/O, small): which KVM backend
 * serves /dev/kvm (from the probe), O_DIRECT on the scratch folder, the QEMU version, the firmware file.
 * Whether /dev/kvm and /dev/vhost-net open comes from the probe too (src/tiers/live-facts.ts).
 */
import { constants } from 'node:fs'
import { access, open } from 'node:fs/promises'
import { execa } from 'execa'
import type { Finding } from '../../core/finding.js'
import { scaledTimeoutMs } from '../../host/slowness.js'
import { resolveTool, toolToSpawn } from '../../host/tool-path.js'

/**
 * Can `path` be opened with O_DIRECT (QEMU's cache=none)? tmpfs, a common /tmp, refuses it (EINVAL),
 * and QEMU then fails to open the guest disk at all.
 */
export const supportsDirectIo = async (path: string): Promise<{ kind: 'ok' } | { kind: 'failed'; why: string }> => {
  try {
    const fh = await open(path, constants.O_RDWR | constants.O_DIRECT)
    await fh.close()
    return { kind: 'ok' }
  } catch (e) {
    return { kind: 'failed', why: e instanceof Error ? e.message : String(e) }
  }
}

const exists = async (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

/**
 * Which KVM implementation serves /dev/kvm, as the probe found it (finding `kvm.module`, probes/kvm.ts):
 * kvm_intel, kvm_amd, kvm_pvm (a PVM host runs only guests built for PVM), ...; `unknown` without it.
 */
export const kvmBackendFrom = (findings: readonly Finding[]): string => {
  const m = findings.find((f) => f.id === 'kvm.module')?.facts?.['module']
  return typeof m === 'string' ? m : 'unknown'
}

const versions = new Map<string, Promise<{ ok: true; version: string } | { ok: false; why: string }>>()

/** `<binary> --version`, asked once per binary per process (QEMU is a large binary to start). */
export const qemuVersion = (binary: string): Promise<{ ok: true; version: string } | { ok: false; why: string }> => {
  let v = versions.get(binary)
  if (!v) {
    v = askVersion(binary)
    versions.set(binary, v)
  }
  return v
}

const askVersion = async (binary: string): Promise<{ ok: true; version: string } | { ok: false; why: string }> => {
  const r = await execa(binary, ['--version'], { reject: false, timeout: scaledTimeoutMs(10_000) })
  if (r.exitCode !== 0)
    return {
      ok: false,
      why:
        r.failed && r.code === 'ENOENT'
          ? `${binary} is not installed`
          : `${binary} --version: ${String(r.stderr || r.shortMessage).trim()}`,
    }
  return { ok: true, version: /version\s+(\S+)/.exec(String(r.stdout))?.[1] ?? String(r.stdout).split('\n')[0]!.trim() }
}

export const QBOOT = '/usr/share/qemu/qboot.rom'
export const firmwareIfPresent = async (): Promise<string | undefined> => ((await exists(QBOOT)) ? QBOOT : undefined)

/** A static busybox for the guest (Debian's busybox-static installs /bin/busybox). */
export const busybox = async (): Promise<string | undefined> => {
  return resolveTool('busybox')
}

let guardCache: readonly string[] | undefined
/**
 * `setpriv --pdeathsig KILL --` (util-linux): QEMU dies with virtcheck even on SIGKILL, because a
 * guest whose agent socket closed would otherwise run on forever. Empty when setpriv is missing.
 */
export const orphanGuard = async (): Promise<readonly string[]> => {
  if (guardCache) return guardCache
  const setpriv = toolToSpawn('setpriv')
  const r = await execa(setpriv, ['--help'], { reject: false, timeout: scaledTimeoutMs(5_000) })
  guardCache = r.exitCode === 0 && String(r.stdout).includes('--pdeathsig') ? [setpriv, '--pdeathsig', 'KILL', '--'] : []
  return guardCache
}
