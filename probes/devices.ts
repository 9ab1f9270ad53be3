/** Paravirtual and network devices: /dev/net/tun, /dev/vhost-net, /dev/vhost-vsock, virtio devices present. */
import { evidence, fail, pass, skip, unknown, warn, type Finding } from '../src/core/finding.js'
import { describeFailure, type Host } from '../src/core/host.js'
import type { Probe } from './types.js'
import { kconfig, statOf, text } from './lib/facts.js'

const VIRTIO_IDS: Readonly<Record<number, string>> = {
  1: 'net',
  2: 'block',
  3: 'console',
  4: 'rng',
  5: 'balloon',
  8: 'scsi',
  9: '9p',
  16: 'gpu',
  18: 'input',
  19: 'vsock',
  26: 'fs',
  41: 'gpio',
}

const deviceNode = async (
  host: Host,
  o: {
    id: string
    title: string
    path: string
    config: string
    absentStatus: 'fail' | 'warn'
    absentWhy: string
    fix: string
    use: string
  },
): Promise<Finding> => {
  const head = { id: o.id, area: 'devices', title: o.title } as const
  const s = await statOf(host, o.path)
  if (s.kind === 'ok' && s.type === 'char') {
    const op = await host.open(o.path, 'rw')
    const ev = [
      evidence(o.path, `char ${s.rdev ? `${s.rdev.major}:${s.rdev.minor}` : ''} mode ${s.mode.toString(8)}`),
      evidence(`open(${o.path}, O_RDWR)`, op.kind === 'ok' ? 'ok' : describeFailure(op)),
    ]
    if (op.kind === 'ok') return pass({ ...head, facts: { present: true, usable: true } }, `present and usable: ${o.use}`, ev)
    return warn({ ...head, facts: { present: true, usable: false } }, `present but not openable by uid ${host.identity.uid}`, ev, {
      summary: `Add the user to the device's group (often kvm) or run as root.`,
    })
  }
  if (s.kind === 'denied' || s.kind === 'error')
    return unknown({ ...head, facts: { present: null } }, `cannot stat ${o.path}: ${describeFailure(s)}`, [
      evidence(o.path, describeFailure(s)),
    ])
  const cfg = await kconfig(host)
  const v = cfg.kind === 'ok' ? cfg.value.get(o.config) : undefined
  const ev = [
    evidence(o.path, s.kind === 'ok' ? `a ${s.type}, not a char device` : describeFailure(s)),
    evidence(cfg.kind === 'ok' ? `${cfg.source} CONFIG_${o.config}` : 'kernel config', cfg.kind === 'ok' ? (v ?? 'not set') : cfg.why),
  ]
  const notBuilt = cfg.kind === 'ok' && (v === undefined || v === 'n')
  const words = `missing${notBuilt ? ` (CONFIG_${o.config} is not set in this kernel)` : v === 'm' ? ' (built as a module, not loaded)' : ''}: ${o.absentWhy}`
  const rem = { summary: notBuilt ? `This kernel was built without CONFIG_${o.config}; use a kernel that has it.` : o.fix }
  const facts = { present: false, built: cfg.kind === 'ok' ? !notBuilt : null }
  return o.absentStatus === 'fail' ? fail({ ...head, facts }, words, ev, rem) : warn({ ...head, facts }, words, ev, rem)
}

const virtioFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'devices.virtio', area: 'devices', title: 'virtio devices on this host' } as const
  const l = await host.list('/sys/bus/virtio/devices')
  if (l.kind !== 'ok' || l.entries.length === 0)
    return skip({ ...head, facts: { count: 0 } }, 'no virtio devices (expected on bare metal)', [
      evidence('/sys/bus/virtio/devices', l.kind === 'ok' ? 'empty' : describeFailure(l)),
    ])
  const kinds = await Promise.all(
    l.entries.map(async (d) => {
      const id = Number((await text(host, `/sys/bus/virtio/devices/${d}/device`))?.trim())
      return VIRTIO_IDS[id] ?? `id ${id}`
    }),
  )
  return pass(
    { ...head, facts: { count: kinds.length, kinds: kinds.join(',') } },
    `${kinds.length} virtio devices: ${kinds.join(', ')} (this host is itself a paravirtualized guest)`,
    [evidence('/sys/bus/virtio/devices/*/device', kinds.join(' '))],
  )
}

export const devicesProbe: Probe = {
  id: 'devices',
  area: 'devices',
  reads: ['/dev/net/tun', '/dev/vhost-net', '/dev/vhost-vsock', '/sys/bus/virtio/devices/*/device', '/proc/config.gz'],
  async check(host) {
    return Promise.all([
      deviceNode(host, {
        id: 'devices.tun',
        title: '/dev/net/tun (tap networking for guests)',
        path: '/dev/net/tun',
        config: 'TUN',
        absentStatus: 'fail',
        absentWhy: 'QEMU guests cannot use tap networking',
        fix: 'Load the tun module.',
        use: 'tap devices for guest networking',
      }),
      deviceNode(host, {
        id: 'devices.vhost-net',
        title: '/dev/vhost-net (in-kernel virtio-net backend)',
        path: '/dev/vhost-net',
        config: 'VHOST_NET',
        absentStatus: 'warn',
        absentWhy: 'virtio-net runs in QEMU userspace (slower networking; vhost=on aborts QEMU)',
        fix: 'Load the vhost_net module.',
        use: 'virtio-net with vhost=on',
      }),
      deviceNode(host, {
        id: 'devices.vhost-vsock',
        title: '/dev/vhost-vsock (host-guest sockets)',
        path: '/dev/vhost-vsock',
        config: 'VHOST_VSOCK',
        absentStatus: 'warn',
        absentWhy: 'no AF_VSOCK channel to guests (virtcheck falls back to the serial console)',
        fix: 'Load the vhost_vsock module.',
        use: 'vhost-vsock-pci guest sockets',
      }),
      virtioFinding(host),
    ])
  },
}
