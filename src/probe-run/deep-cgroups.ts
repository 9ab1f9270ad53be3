/**
 * `probe --deep` for cgroups.controllers: the limits actually written (src/host/cgroup-proof.ts) join
 * the evidence; a needed controller (cpu, memory, pids) whose limit could not be written makes the
 * finding a warn. Pure.
 */
import { evidence, warn, type Finding } from '../core/finding.js'
import type { CgroupProof } from '../host/cgroup-proof.js'

const NEEDED = ['cpu', 'memory', 'pids']

export const applyCgroupProofs = (findings: readonly Finding[], proofs: readonly CgroupProof[]): Finding[] =>
  findings.map((f) => {
    if (f.id !== 'cgroups.controllers' || proofs.length === 0) return f
    const ev = [...f.evidence, ...proofs.map((p) => evidence('--deep scratch cgroup', p.line))]
    const failed = proofs.filter((p) => !p.ok && NEEDED.includes(p.controller))
    const written = proofs.filter((p) => p.ok).map((p) => p.controller)
    const facts = { ...f.facts, provedLimits: written.join(',') || null }
    if (failed.length && f.status === 'pass')
      return warn(
        { id: f.id, area: f.area, title: f.title, facts },
        `${f.summary}; but --deep could not write a ${failed.map((p) => p.controller).join(', ')} limit`,
        ev,
        {
          summary: 'A limit the kernel lists could not be set in a scratch cgroup (see the evidence): containers would run without it.',
        },
      )
    return {
      ...f,
      summary: `${f.summary} (--deep: ${written.length ? `${written.join(', ')} limits written` : 'no limit could be written'})`,
      evidence: ev,
      facts,
    }
  })
