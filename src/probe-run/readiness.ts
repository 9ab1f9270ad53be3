/**
 * Tier readiness: a pure decision from findings. Each not-ready tier names the findings that block it
 * and what to do; notes carry what works but is degraded (no vhost-net, podman ulimit traps...).
 */
import type { Finding, Remediation } from '../core/finding.js'
import { TIER_IDS, type TierId, type TierReadiness } from '../core/tier.js'

type Need = { readonly ok: boolean; readonly blocker: string; readonly why: string; readonly fix?: Remediation }

const byId = (findings: readonly Finding[]) => {
  const m = new Map(findings.map((f) => [f.id, f]))
  return (id: string) => m.get(id)
}

const fact = (f: Finding | undefined, key: string) => f?.facts?.[key]

const decide = (tier: TierId, needs: readonly Need[], readyWords: string, notes: string[]): TierReadiness => {
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

const need = (f: Finding | undefined, id: string, ok: (f: Finding) => boolean, why: string): Need => ({
  ok: f !== undefined && ok(f),
  blocker: id,
  why: f === undefined ? `${id} not checked` : why,
  ...(f?.remediation ? { fix: f.remediation } : {}),
})

export const decideReadiness = (findings: readonly Finding[], hostArch = 'x86_64'): TierReadiness[] => {
  const get = byId(findings)
  const vcwork = get('software.vcwork')
  const ns = get('namespaces.types')
  const userns = get('namespaces.userns-unprivileged')
  const priv = get('environment.privileges')
  const ctl = get('cgroups.controllers')
  const deleg = get('cgroups.delegation')
  const busybox = get('software.busybox')
  const isRoot = fact(priv, 'uid') === 0
  const vcworkNative: Need = {
    ok: fact(vcwork, hostArch) === true,
    blocker: 'software.vcwork',
    why: `vcwork not built for ${hostArch}`,
    ...(vcwork?.remediation ? { fix: vcwork.remediation } : {}),
  }
  const nsNeed = need(ns, 'namespaces.types', (f) => f.status === 'pass', 'namespaces missing or not creatable')
  const privNeed: Need = isRoot
    ? { ok: true, blocker: '', why: '' }
    : need(userns, 'namespaces.userns-unprivileged', (f) => f.status === 'pass', 'not root and unprivileged user namespaces are denied')
  const ctlNeed = need(ctl, 'cgroups.controllers', (f) => f.status !== 'fail' && f.status !== 'unknown', 'cgroup controllers missing')
  // rootless podman and lxc map the user's subordinate ids with newuidmap/newgidmap; rootless lxc also
  // needs a cgroup delegated to the user. Without them they start, then fail with only a log tail.
  const subid = get('namespaces.subid')
  const rootlessIdsNeed: Need = isRoot
    ? { ok: true, blocker: '', why: '' }
    : need(
        subid,
        'namespaces.subid',
        (f) => fact(f, 'rootless') === true,
        'rootless: newuidmap/newgidmap or subordinate ids (/etc/subuid, /etc/subgid) missing',
      )
  const rootlessCgroupNeed: Need = isRoot
    ? { ok: true, blocker: '', why: '' }
    : need(deleg, 'cgroups.delegation', (f) => f.status === 'pass', 'rootless lxc: no cgroup delegated to this user')
  const containerNotes: string[] = []
  if (deleg && deleg.status !== 'pass') containerNotes.push('resource limits unavailable to this user (cgroups.delegation)')
  if (fact(busybox, 'static') !== true) containerNotes.push('no static busybox: the rootfs holds vcwork only')
  const out: TierReadiness[] = []

  for (const tier of TIER_IDS) {
    switch (tier) {
      case 'native':
        out.push(decide(tier, [vcworkNative], 'runs vcwork directly on the host', []))
        break
      case 'container':
        out.push(decide(tier, [nsNeed, privNeed, ctlNeed, vcworkNative], 'namespaces + cgroups available', containerNotes))
        break
      case 'docker': {
        const d = get('software.docker')
        out.push(
          decide(
            tier,
            [
              need(
                d,
                'software.docker',
                (f) => fact(f, 'answers') === true,
                fact(d, 'installed') === true ? 'docker engine does not answer' : 'docker not installed',
              ),
              vcworkNative,
            ],
            'docker engine answers',
            [],
          ),
        )
        break
      }
      case 'podman': {
        const p = get('software.podman')
        const notes = p?.status === 'warn' ? [p.summary] : []
        out.push(
          decide(
            tier,
            [
              need(p, 'software.podman', (f) => fact(f, 'installed') === true, 'podman not installed'),
              nsNeed,
              privNeed,
              rootlessIdsNeed,
              vcworkNative,
            ],
            'podman installed (daemonless)',
            notes,
          ),
        )
        break
      }
      case 'lxc': {
        const l = get('software.lxc')
        out.push(
          decide(
            tier,
            [
              need(l, 'software.lxc', (f) => fact(f, 'installed') === true, 'lxc-execute not installed'),
              nsNeed,
              privNeed,
              rootlessIdsNeed,
              rootlessCgroupNeed,
              ctlNeed,
              vcworkNative,
            ],
            'lxc-execute installed',
            containerNotes,
          ),
        )
        break
      }
      case 'kvm-virtio':
      case 'kvm-emulated': {
        const qemu = get(`software.qemu-system-${hostArch}`)
        const mod = get('kvm.module')
        const cvm = get('environment.confidential-guest')
        const cpu = get('cpu.virt-extensions')
        const needs: Need[] = [
          // The root cause first: a CPU without (or with firmware-disabled) VT-x/AMD-V.
          {
            ok: cpu?.status !== 'fail',
            blocker: 'cpu.virt-extensions',
            why: cpu?.summary ?? '',
            ...(cpu?.remediation ? { fix: cpu.remediation } : {}),
          },
          need(get('kvm.device'), 'kvm.device', (f) => f.status === 'pass', '/dev/kvm missing or not writable'),
          need(
            mod,
            'kvm.module',
            (f) => f.status === 'pass',
            fact(mod, 'bound') === false
              ? 'kvm_pvm did not bind: this kernel is itself a PVM guest'
              : fact(mod, 'kind') === 'pvm'
                ? 'KVM is paravirtual (PVM): standard guest kernels cannot boot'
                : 'no usable KVM implementation',
          ),
          need(get('kvm.api'), 'kvm.api', (f) => f.status === 'pass', 'the KVM API test failed'),
          need(
            qemu,
            `software.qemu-system-${hostArch}`,
            (f) =>
              String(fact(f, 'accelerators') ?? '')
                .split(',')
                .includes('kvm'),
            `qemu-system-${hostArch} with the kvm accelerator not installed`,
          ),
          need(get('software.guest-kernel'), 'software.guest-kernel', (f) => f.status === 'pass', 'no bootable guest kernel'),
          vcworkNative,
        ]
        if (cvm?.status === 'warn')
          needs.push(need(cvm, 'environment.confidential-guest', () => false, 'this host is a confidential guest'))
        const notes =
          tier === 'kvm-virtio' && get('devices.vhost-net')?.status !== 'pass'
            ? ['no /dev/vhost-net: virtio-net runs in QEMU userspace']
            : []
        out.push(decide(tier, needs, 'KVM, QEMU and a guest kernel available', notes))
        break
      }
      case 'tcg-virtio':
      case 'tcg-emulated': {
        const qemu = get(`software.qemu-system-${hostArch}`)
        const needs = [
          need(
            qemu,
            `software.qemu-system-${hostArch}`,
            (f) =>
              String(fact(f, 'accelerators') ?? 'tcg')
                .split(',')
                .includes('tcg') && fact(f, 'installed') === true,
            `qemu-system-${hostArch} not installed`,
          ),
          need(get('software.guest-kernel'), 'software.guest-kernel', (f) => f.status === 'pass', 'no bootable guest kernel'),
          vcworkNative,
        ]
        const notes = get('devices.tun')?.status !== 'pass' ? ['no /dev/net/tun: network jobs are skipped'] : []
        out.push(decide(tier, needs, 'QEMU TCG and a guest kernel available', notes))
        break
      }
      case 'emu-aarch64': {
        const u = get('software.qemu-user-aarch64')
        out.push(
          decide(
            tier,
            [
              need(u, 'software.qemu-user-aarch64', (f) => f.status === 'pass', 'qemu-user for aarch64 not installed'),
              {
                ok: fact(vcwork, 'aarch64') === true,
                blocker: 'software.vcwork',
                why: 'vcwork not built for aarch64',
                ...(vcwork?.remediation ? { fix: vcwork.remediation } : {}),
              },
            ],
            'qemu-aarch64 and the aarch64 vcwork build available',
            [],
          ),
        )
        break
      }
    }
  }
  return out
}
