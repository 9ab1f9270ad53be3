/**
 * `probe --deep` disk quotas, for real: loop-mounted scratch ext4 (prjquota) and btrfs (qgroups) in a
 * private mount namespace, checked against this kernel's config; nothing may be left mounted. Needs
 * root, unshare, mkfs.ext4 and mkfs.btrfs (.ci/run installs btrfs-progs); under CI=true a missing one
 * fails instead of skipping.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { evidence, pass, warn } from '../../src/core/finding.js'
import { CleanupRegistry } from '../../src/host/cleanup.js'
import { proveQuotas } from '../../src/host/quota-proof.js'
import { applyQuotaProofs, quotaFsToProve } from '../../src/probe-run/deep-quota.js'

const onPath = (tool: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(`${d}/${tool}`))
const missing = [...(process.getuid?.() === 0 ? [] : ['root']), ...['unshare', 'mkfs.ext4', 'mkfs.btrfs'].filter((t) => !onPath(t))]
const skip = missing.length > 0 && process.env['CI'] !== 'true'
const kconfig = (): string | undefined => {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8')
  } catch {
    return undefined
  }
}

describe('--deep disk quota proof (real loop mounts)', () => {
  it.skipIf(!skip)(`skipped: missing ${missing.join(', ')}`, () => undefined)
  it.skipIf(skip)(
    'ext4 prjquota and btrfs qgroups behave as this kernel was built, and nothing stays mounted',
    async () => {
      expect(missing, 'CI=true but missing components').toEqual([])
      const cfg = kconfig()
      const fsList = readFileSync('/proc/filesystems', 'utf8')
      const reg = new CleanupRegistry()
      const proofs = await proveQuotas(['ext4', 'btrfs'], onPath, reg)
      const ext4 = proofs.find((p) => p.fs === 'ext4')
      if (cfg !== undefined) {
        const ext4Quota = /^CONFIG_QUOTA=y/m.test(cfg) && /^CONFIG_QFMT_V2=[ym]/m.test(cfg)
        expect(ext4?.ok, ext4?.line).toBe(ext4Quota)
        if (!ext4Quota) expect(ext4?.line).toMatch(/^ext4: loop mount with prjquota refused: .*CONFIG_QUOTA and CONFIG_QFMT_V2/)
      }
      const btrfs = proofs.find((p) => p.fs === 'btrfs')
      expect(btrfs?.ok, btrfs?.line).toBe(/\tbtrfs$/m.test(fsList))
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toMatch(/virtcheck-quota-/)
      expect(readdirSync(tmpdir()).filter((d) => d.startsWith('virtcheck-quota-'))).toEqual([])
    },
    60_000,
  )
})

describe('applying the proofs to the finding (pure)', () => {
  const h = { id: 'os-features.disk-quota', area: 'os-features', title: 'Disk quota' } as const
  it('a root file system the config called fit that refuses the mount turns the pass into a warn', () => {
    const f = pass(
      { ...h, facts: { available: true, filesystems: 'ext4,btrfs', quotaWorks: 'ext4,btrfs', rootFs: 'ext4' } },
      'available: ext4 project quotas',
      [evidence('/proc/config.gz', 'QUOTA=y QFMT_V2=y')],
    )
    expect(quotaFsToProve([f])).toEqual(['ext4', 'btrfs'])
    const [g] = applyQuotaProofs(
      [f],
      [
        { fs: 'ext4', ok: false, line: 'ext4: loop mount with prjquota refused: EXT4-fs (loop0): Cannot enable project quota' },
        { fs: 'btrfs', ok: true, line: 'btrfs: qgroup limit on a loop mount works' },
      ],
    )
    expect(g?.status).toBe('warn')
    expect(g?.summary).toBe('not as the kernel config suggests: available: ext4 project quotas (--deep: works on btrfs; refused on ext4)')
    expect(g?.remediation?.summary).toMatch(/btrfs/)
  })
  it('proved on the root file system: pass; a timeout proves nothing', () => {
    const f = warn({ ...h, facts: { available: false, filesystems: 'btrfs', rootFs: 'btrfs' } }, 'not available: x', [], { summary: 'y' })
    expect(applyQuotaProofs([f], [{ fs: 'btrfs', ok: true, line: 'btrfs: works' }])[0]?.status).toBe('pass')
    const [t] = applyQuotaProofs([f], [{ fs: 'btrfs', ok: false, timedOut: true, line: 'btrfs: unknown (timed out after 20000 ms)' }])
    expect(t?.facts?.['provedRefused']).toBeNull()
  })
})
