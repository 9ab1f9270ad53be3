/**
 * Tests that need real components (root, unshare, busybox-static, vcwork) must not skip silently:
 * under CI=true a missing component fails the test; elsewhere the test is skipped with the reason.
 */
import { existsSync } from 'node:fs'
import { nativeBinary } from '../../src/host/paths.js'

export const missing = (): string[] => {
  const m: string[] = []
  if (process.getuid?.() !== 0) m.push('root')
  if (!existsSync('/usr/bin/unshare')) m.push('unshare (util-linux)')
  if (!existsSync('/bin/busybox') && !existsSync('/usr/bin/busybox')) m.push('busybox-static')
  if (!existsSync(nativeBinary('vcwork'))) m.push('build/native vcwork (node workloads/build.mjs)')
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) m.push('iproute2')
  return m
}

/** `it.skipIf(skipReal)` plus a failing guard test under CI. */
export const realMissing = missing()
export const skipReal = realMissing.length > 0 && process.env['CI'] !== 'true'
export const assertRealAvailable = (): void => {
  if (realMissing.length > 0) throw new Error(`CI=true but missing: ${realMissing.join(', ')}`)
}
