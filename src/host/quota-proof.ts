/**
 * `probe --deep` for disk quotas: make a small sparse scratch image of each file system whose mkfs is
 * installed, loop-mount it with quotas on inside a private mount namespace (`unshare --mount`: the
 * mount, and with it the auto-clearing loop device, vanish when that process ends, even if virtcheck
 * is killed) and set a limit. Root only. The image folder is registered for cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CleanupRegistry } from './cleanup.js'
import { runBounded } from './run-bounded.js'

export type QuotaFs = 'ext4' | 'xfs' | 'btrfs'

export interface QuotaProof {
  readonly fs: QuotaFs
  readonly ok: boolean
  /** The proof ran out of time: it says nothing either way. */
  readonly timedOut?: boolean
  /** `ext4: loop mount with prjquota refused: EXT4-fs (loop0): The kernel was not built with ...` */
  readonly line: string
}

const SCRIPTS: Record<QuotaFs, { sizeMb: number; mkfs: string; script: string; what: string }> = {
  ext4: {
    sizeMb: 64,
    mkfs: 'mkfs.ext4',
    script: 'mkfs.ext4 -q -F -O quota,project "$1" && mount -o loop,prjquota "$1" "$2"',
    what: 'loop mount with prjquota',
  },
  xfs: {
    sizeMb: 320,
    mkfs: 'mkfs.xfs',
    script: 'mkfs.xfs -q -f "$1" && mount -o loop,prjquota "$1" "$2"',
    what: 'loop mount with prjquota',
  },
  btrfs: {
    sizeMb: 128,
    mkfs: 'mkfs.btrfs',
    script: 'mkfs.btrfs -q -f "$1" && mount -o loop "$1" "$2" && btrfs quota enable "$2" && btrfs qgroup limit 10M "$2"',
    what: 'qgroup limit on a loop mount',
  },
}

export const proveQuotas = async (
  filesystems: readonly QuotaFs[],
  mkfsFound: (tool: string) => boolean,
  cleanup: CleanupRegistry,
  timeoutMs = 20_000,
): Promise<QuotaProof[]> => {
  const dir = await mkdtemp(join(tmpdir(), 'virtcheck-quota-'))
  const remove = cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }))
  try {
    const out: QuotaProof[] = []
    for (const fs of filesystems) {
      const s = SCRIPTS[fs]
      if (!mkfsFound(s.mkfs)) {
        out.push({ fs, ok: false, line: `${fs}: not tried (${s.mkfs} not installed)` })
        continue
      }
      const img = join(dir, `${fs}.img`)
      const mnt = join(dir, `${fs}.mnt`)
      // The kernel says why a mount failed only in its log: keep its last line about this loop mount.
      const script = `set -e; truncate -s ${s.sizeMb}M "$1"; mkdir -p "$2"; if ! (${s.script}) >"$3" 2>&1; then tail -n 2 "$3"; dmesg 2>/dev/null | grep -E '(EXT4-fs|XFS|BTRFS).*\\(loop' | tail -n 1; exit 1; fi; echo proved`
      const o = await runBounded(
        'unshare',
        ['--mount', '--propagation', 'private', 'sh', '-c', script, 'quota-proof', img, mnt, join(dir, `${fs}.log`)],
        'unshare',
        { timeoutMs, env: { ...process.env, LC_ALL: 'C' }, maxBytes: 65536 },
      )
      const lines =
        o.kind === 'exited'
          ? `${o.stdout}\n${o.stderr}`
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
          : []
      if (o.kind === 'exited' && o.exitCode === 0 && lines.includes('proved')) out.push({ fs, ok: true, line: `${fs}: ${s.what} works` })
      else if (o.kind === 'timed-out')
        out.push({ fs, ok: false, timedOut: true, line: `${fs}: unknown (timed out after ${Math.round(o.durationMs)} ms)` })
      else out.push({ fs, ok: false, line: `${fs}: ${s.what} refused: ${lines.at(-1)?.replace(/^\[\s*[\d.]+\]\s*/, '') ?? o.kind}` })
      await rm(img, { force: true })
    }
    return out
  } finally {
    await remove()
  }
}
