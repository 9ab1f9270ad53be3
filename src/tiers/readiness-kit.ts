/**
 * The shared vocabulary of tier readiness: a `Need` is one condition with the finding that blocks it
 * and what to do; `decide` turns a tier's needs into its TierReadiness. Each not-ready tier names the
 * findings that block it; notes carry what works but is degraded. Pure: only the probe's findings.
 */
import type { Finding, Remediation } from '../core/finding.js'
import type { ReadinessInputs } from '../core/tier-definition.js'
import type { TierId, TierReadiness } from '../core/tier.js'

export type Need = { readonly ok: boolean; readonly blocker: string; readonly why: string; readonly fix?: Remediation }

export const readinessInputs = (findings: readonly Finding[], hostArch: string): ReadinessInputs => {
  const m = new Map(findings.map((f) => [f.id, f]))
  return { finding: (id) => m.get(id), hostArch }
}

export const fact = (f: Finding | undefined, key: string) => f?.facts?.[key]

export const decide = (tier: TierId, needs: readonly Need[], readyWords: string, notes: string[]): TierReadiness => {
  const unmet = needs.filter((n) => !n.ok)
  if (unmet.length === 0) return { tier, ready: true, summary: readyWords, ...(notes.length ? { notes } : {}) }
  const fixes = unmet.map((n) => n.fix?.summary).filter((s): s is string => !!s)
  const commands = unmet.flatMap((n) => n.fix?.commands ?? [])
  return {
    tier,
    ready: false,
    summary: unmet.map((n) => n.why).join('; '),
    blockedBy: [...new Set(unmet.map((n) => n.blocker))],
    remediation: {
      summary: [...new Set(fixes)].join(' ') || 'See the blocking findings.',
      ...(commands.length ? { commands: [...new Set(commands)] } : {}),
    },
  }
}

export const need = (f: Finding | undefined, id: string, ok: (f: Finding) => boolean, why: string): Need => ({
  ok: f !== undefined && ok(f),
  blocker: id,
  why: f === undefined ? `${id} not checked` : why,
  ...(f?.remediation ? { fix: f.remediation } : {}),
})

/** A need that root meets by being root. */
const MET: Need = { ok: true, blocker: '', why: '' }

const isRoot = (i: ReadinessInputs) => fact(i.finding('environment.privileges'), 'uid') === 0

/** virtcheck's static vcwork build for `arch`. */
export const vcworkNeed = (i: ReadinessInputs, arch: string): Need => {
  const vcwork = i.finding('software.vcwork')
  return {
    ok: fact(vcwork, arch) === true,
    blocker: 'software.vcwork',
    why: `vcwork not built for ${arch}`,
    ...(vcwork?.remediation ? { fix: vcwork.remediation } : {}),
  }
}

export const vcworkNativeNeed = (i: ReadinessInputs): Need => vcworkNeed(i, i.hostArch)

export const nsNeed = (i: ReadinessInputs): Need =>
  need(i.finding('namespaces.types'), 'namespaces.types', (f) => f.status === 'pass', 'namespaces missing or not creatable')

export const privNeed = (i: ReadinessInputs): Need =>
  isRoot(i)
    ? MET
    : need(
        i.finding('namespaces.userns-unprivileged'),
        'namespaces.userns-unprivileged',
        (f) => f.status === 'pass',
        'not root and unprivileged user namespaces are denied',
      )

export const ctlNeed = (i: ReadinessInputs): Need =>
  need(
    i.finding('cgroups.controllers'),
    'cgroups.controllers',
    (f) => f.status !== 'fail' && f.status !== 'unknown',
    'cgroup controllers missing',
  )

// rootless podman and lxc map the user's subordinate ids with newuidmap/newgidmap; rootless lxc also
// needs a cgroup delegated to the user. Without them they start, then fail with only a log tail.
export const rootlessIdsNeed = (i: ReadinessInputs): Need =>
  isRoot(i)
    ? MET
    : need(
        i.finding('namespaces.subid'),
        'namespaces.subid',
        (f) => fact(f, 'rootless') === true,
        'rootless: newuidmap/newgidmap or subordinate ids (/etc/subuid, /etc/subgid) missing',
      )

export const rootlessCgroupNeed = (i: ReadinessInputs): Need =>
  isRoot(i)
    ? MET
    : need(
        i.finding('cgroups.delegation'),
        'cgroups.delegation',
        (f) => f.status === 'pass',
        'rootless lxc: no cgroup delegated to this user',
      )

/** What a container tier that builds virtcheck's rootfs and may set limits lacks here. */
export const containerNotes = (i: ReadinessInputs): string[] => {
  const deleg = i.finding('cgroups.delegation')
  const notes: string[] = []
  if (deleg && deleg.status !== 'pass') notes.push('resource limits unavailable to this user (cgroups.delegation)')
  if (fact(i.finding('software.busybox'), 'static') !== true) notes.push('no static busybox: the rootfs holds vcwork only')
  return notes
}
