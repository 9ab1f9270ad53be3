/**
 * Real-guest tests need QEMU, busybox-static, the x86_64 vcwork and (for the network) root + iproute2.
 * Under CI=true a missing component fails the suite instead of skipping it (docs/architecture.md, principle 12).
 */
import { existsSync } from 'node:fs'
import { execa } from 'execa'
import { ensureGuestKernel } from '../../../src/guest/kernel-setup.js'
import { nativeBinary } from '../../../src/host/paths.js'

export const qemuMissing = async (): Promise<string[]> => {
  const m: string[] = []
  if ((await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0) m.push('qemu-system-x86_64')
  if (!existsSync('/bin/busybox') && !existsSync('/usr/bin/busybox')) m.push('busybox-static')
  if (!existsSync(nativeBinary('vcwork', 'x86_64'))) m.push('build/native/x86_64/vcwork (node workloads/build.mjs)')
  if ((await execa('apt-get', ['--version'], { reject: false })).exitCode !== 0 && !process.env['VIRTCHECK_CACHE'])
    m.push('apt-get (to fetch the guest kernel)')
  return m
}

export const emuMissing = async (): Promise<string[]> => {
  const m: string[] = []
  if ((await execa('qemu-aarch64-static', ['--version'], { reject: false })).exitCode !== 0)
    m.push('qemu-aarch64-static (qemu-user-static)')
  if (!existsSync(nativeBinary('vcwork', 'aarch64')))
    m.push('build/native/aarch64/vcwork (gcc-aarch64-linux-gnu + node workloads/build.mjs)')
  return m
}

/**
 * The guest kernel, fetched into the cache when it is not there yet (a download on a fresh machine: call it
 * from a hook with a long timeout). Every test that boots a guest calls this itself, so none depends on
 * another test having filled the cache first.
 */
export const requireGuestKernel = async (): Promise<string> => {
  const k = await ensureGuestKernel({})
  if (k.kind === 'failed') throw new Error(`guest kernel: ${k.reason}`)
  return k.path
}

export const isRoot = process.getuid?.() === 0

/** Skip with the reason locally; fail under CI. */
export const requireAll = (missing: string[]): boolean => {
  if (missing.length === 0) return true
  if (process.env['CI'] === 'true') throw new Error(`CI=true but missing: ${missing.join(', ')}`)
  console.warn(`skipping real tests, missing: ${missing.join(', ')}`)
  return false
}

/** QEMU processes this test process started (named virtcheck-<pid>-<tier>). */
export const leftoverQemu = async (): Promise<string> => {
  const r = await execa('pgrep', ['-af', `virtcheck-${process.pid}-`], { reject: false })
  return String(r.stdout)
    .split('\n')
    .filter((l) => l.includes('qemu'))
    .join('\n')
}
