/**
 * Which file systems can enforce per-container space limits on this kernel, each from every option it
 * needs: ext4 quotas need CONFIG_QUOTA and CONFIG_QFMT_V2 (without it ext4 refuses `-o quota`/prjquota:
 * "kernel was not built with CONFIG_QUOTA and CONFIG_QFMT_V2"), XFS needs CONFIG_XFS_QUOTA, btrfs
 * qgroups are part of btrfs itself. Pure: the caller reads the config and /proc/filesystems.
 */
import { kconfigEnabled, type Kconfig } from '../../src/parse/kconfig.js'

export interface FsQuota {
  readonly fs: 'ext4' | 'xfs' | 'btrfs'
  /** The kernel has the file system at all (/proc/filesystems). */
  readonly present: boolean
  readonly works: boolean
  /** `project quotas (CONFIG_QUOTA, CONFIG_QFMT_V2)` or why not: `CONFIG_QFMT_V2 not set`. */
  readonly how: string
}

const need = (cfg: Kconfig, names: readonly string[]): string[] => names.filter((n) => kconfigEnabled(cfg, n) !== true)

export const quotaByFs = (cfg: Kconfig, filesystems: ReadonlySet<string>): FsQuota[] => {
  const ext4Missing = need(cfg, ['QUOTA', 'QFMT_V2'])
  const xfsMissing = need(cfg, ['XFS_QUOTA'])
  return [
    {
      fs: 'ext4',
      present: filesystems.has('ext4'),
      works: filesystems.has('ext4') && ext4Missing.length === 0,
      how: ext4Missing.length
        ? `${ext4Missing.map((n) => `CONFIG_${n}`).join(' and ')} not set`
        : 'project quotas (CONFIG_QUOTA, CONFIG_QFMT_V2)',
    },
    {
      fs: 'xfs',
      present: filesystems.has('xfs'),
      works: filesystems.has('xfs') && xfsMissing.length === 0,
      how: xfsMissing.length ? 'CONFIG_XFS_QUOTA not set' : 'prjquota (CONFIG_XFS_QUOTA)',
    },
    { fs: 'btrfs', present: filesystems.has('btrfs'), works: filesystems.has('btrfs'), how: 'qgroups (built into btrfs)' },
  ]
}
