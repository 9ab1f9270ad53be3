/**
 * `probe --deep` for os-features.disk-quota: the proofs (src/host/quota-proof.ts) replace what the
 * kernel config predicted. A file system the config called fit that refuses the real mount is no
 * longer counted; one that works is "proved". Pure: findings and proofs in, findings out.
 */
import { evidence, type Finding } from '../core/finding.js'
import type { QuotaFs, QuotaProof } from '../host/quota-proof.js'

const FS: readonly QuotaFs[] = ['ext4', 'xfs', 'btrfs']

/** Which file systems to try: every quota-capable one the kernel has. */
export const quotaFsToProve = (findings: readonly Finding[]): QuotaFs[] => {
  const fs = String(findings.find((f) => f.id === 'os-features.disk-quota')?.facts?.['filesystems'] ?? '').split(',')
  return FS.filter((f) => fs.includes(f))
}

export const applyQuotaProofs = (findings: readonly Finding[], proofs: readonly QuotaProof[]): Finding[] =>
  findings.map((f) => {
    if (f.id !== 'os-features.disk-quota' || proofs.length === 0) return f
    const works = proofs.filter((p) => p.ok).map((p) => p.fs)
    const refused = proofs.filter((p) => !p.ok && !p.timedOut && !/not tried/.test(p.line)).map((p) => p.fs)
    const rootFs = f.facts?.['rootFs']
    const ev = [...f.evidence, ...proofs.map((p) => evidence('--deep scratch file system', p.line))]
    const facts = { ...f.facts, provedWorks: works.join(',') || null, provedRefused: refused.join(',') || null }
    const rootOk = typeof rootFs === 'string' ? works.includes(rootFs as QuotaFs) : undefined
    const proved = `--deep: ${works.length ? `works on ${works.join(', ')}` : 'no file system accepted quotas'}${refused.length ? `; refused on ${refused.join(', ')}` : ''}`
    if (works.length && rootOk !== false)
      return { ...f, status: 'pass', summary: `available (${proved})`, evidence: ev, facts: { ...facts, available: true } }
    const remediation = f.remediation ?? {
      summary: `Put container storage on a file system that accepted quotas here${works.length ? ` (${works.join(', ')})` : ''}, or use a kernel built with the quota options (a different kernel).`,
    }
    return {
      ...f,
      status: 'warn',
      summary: `${f.status === 'pass' ? 'not as the kernel config suggests: ' : ''}${f.summary} (${proved})`,
      evidence: ev,
      facts: { ...facts, available: false },
      remediation,
    }
  })
