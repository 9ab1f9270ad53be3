/**
 * The container tiers' definitions (pure): the built-in container, docker, podman and lxc. Their
 * drivers (builtin.ts, docker.ts, podman.ts, lxc.ts) load on demand.
 */
import type { TierDefinition } from '../../core/tier-definition.js'
import { tierInfo } from '../../core/tier.js'
import {
  ctlNeed,
  containerNotes,
  decide,
  fact,
  need,
  nsNeed,
  privNeed,
  rootlessCgroupNeed,
  rootlessIdsNeed,
  vcworkNativeNeed,
} from '../readiness-kit.js'
import { containerSettings } from './container-options.js'
import { parseLimitOptions } from './limit-options.js'

const DEEP = { timeoutMs: 30_000, tryWhenKvmOpens: false } as const

export const containerDefinition: TierDefinition = {
  info: tierInfo('container'),
  readiness: (i) =>
    decide('container', [nsNeed(i), privNeed(i), ctlNeed(i), vcworkNativeNeed(i)], 'namespaces + cgroups available', containerNotes(i)),
  checkOptions: (options, isRoot) => void containerSettings({ options }, isRoot),
  deep: DEEP,
  loadDriver: () => import('./builtin.js').then((m) => m.containerDriver),
}

export const dockerDefinition: TierDefinition = {
  info: tierInfo('docker'),
  readiness: (i) => {
    const d = i.finding('software.docker')
    return decide(
      'docker',
      [
        need(
          d,
          'software.docker',
          (f) => fact(f, 'answers') === true,
          fact(d, 'installed') === true ? 'docker engine does not answer' : 'docker not installed',
        ),
        vcworkNativeNeed(i),
      ],
      'docker engine answers',
      [],
    )
  },
  checkOptions: (options) => void parseLimitOptions('docker', options),
  deep: DEEP,
  loadDriver: () => import('./docker.js').then((m) => m.dockerDriver),
}

export const podmanDefinition: TierDefinition = {
  info: tierInfo('podman'),
  readiness: (i) => {
    const p = i.finding('software.podman')
    const notes = p?.status === 'warn' ? [p.summary] : []
    return decide(
      'podman',
      [
        need(p, 'software.podman', (f) => fact(f, 'installed') === true, 'podman not installed'),
        nsNeed(i),
        privNeed(i),
        rootlessIdsNeed(i),
        vcworkNativeNeed(i),
      ],
      'podman installed (daemonless)',
      notes,
    )
  },
  checkOptions: (options) => void parseLimitOptions('podman', options),
  deep: DEEP,
  loadDriver: () => import('./podman.js').then((m) => m.podmanDriver),
}

export const lxcDefinition: TierDefinition = {
  info: tierInfo('lxc'),
  readiness: (i) =>
    decide(
      'lxc',
      [
        need(i.finding('software.lxc'), 'software.lxc', (f) => fact(f, 'installed') === true, 'lxc-execute not installed'),
        nsNeed(i),
        privNeed(i),
        rootlessIdsNeed(i),
        rootlessCgroupNeed(i),
        ctlNeed(i),
        vcworkNativeNeed(i),
      ],
      'lxc-execute installed',
      containerNotes(i),
    ),
  checkOptions: (options) => void parseLimitOptions('lxc', options),
  deep: DEEP,
  loadDriver: () => import('./lxc.js').then((m) => m.lxcDriver),
}
