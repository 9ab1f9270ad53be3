/**
 * Pure: the qemu-system-aarch64 command of the emu-aarch64 mode=system guest. Same shape as the x86
 * guests (src/tiers/qemu/command.ts): kernel console on the first UART (PL011, ttyAMA0) read from
 * QEMU's stdout, the agent on a virtio console bound to a unix socket QEMU waits on (wait=on), a raw
 * virtio-blk disk and a virtio-net NIC on a tap. On `-M virt` every virtio device sits on a
 * virtio-mmio transport (virtio-*-device), described to the guest by the device tree.
 */
import { guestBaseArgv, guestBootArgs, guestDiskArgs, guestKernelCmdline, guestNetArgs } from '../qemu/command.js'
import type { EmuSystemOptions } from './options.js'

export const AARCH64_GUEST_MAC = '52:54:00:76:63:02'
export const AARCH64_GUEST_DISK = '/dev/vda'
export const AARCH64_AGENT_DEVICE = '/dev/hvc0'

/** Guest modules per device group (dependencies are added by the initramfs build). */
export const AARCH64_MODULES = {
  disk: ['virtio_mmio', 'virtio_blk'],
  nic: ['virtio_mmio', 'virtio_net'],
  agent: ['virtio_mmio', 'virtio_console'],
} as const

export const aarch64ModuleGroups = (withNetwork: boolean): string[][] => [
  [...AARCH64_MODULES.disk],
  ...(withNetwork ? [[...AARCH64_MODULES.nic]] : []),
  [...AARCH64_MODULES.agent],
]

export interface Aarch64CommandSpec {
  readonly name: string
  readonly options: EmuSystemOptions
  readonly kernelPath: string
  readonly initrdPath: string
  readonly agentSocket: string
  readonly disk?: { readonly path: string }
  readonly net?: { readonly tap: string; readonly guestCidr: string }
}

export interface Aarch64Command {
  readonly argv: readonly string[]
  readonly kernelCmdline: string
  /** In words, for the config. */
  readonly devices: string
}

export const aarch64KernelCmdline = (spec: Pick<Aarch64CommandSpec, 'options' | 'disk' | 'net'>): string =>
  guestKernelCmdline({
    console: 'ttyAMA0',
    archOptions: spec.options.kpti === 'off' ? ['kpti=0'] : [],
    agentDevice: AARCH64_AGENT_DEVICE,
    ...(spec.disk ? { disk: AARCH64_GUEST_DISK } : {}),
    ...(spec.net ? { ip: spec.net.guestCidr } : {}),
    ...(spec.options.append ? { append: spec.options.append } : {}),
  })

export const buildAarch64Command = (spec: Aarch64CommandSpec): Aarch64Command => {
  const o = spec.options
  const cmdline = aarch64KernelCmdline(spec)
  const argv = [
    ...guestBaseArgv({
      qemuBinary: o.qemuBinary,
      name: spec.name,
      machine: o.machine,
      accel: 'tcg',
      cpu: o.cpu,
      smp: o.smp,
      memoryMib: o.memoryMib,
      agentSocket: spec.agentSocket,
      agentDevices: ['-device', 'virtio-serial-device,id=vcser0', '-device', 'virtconsole,chardev=agent0,bus=vcser0.0'],
    }),
    ...guestBootArgs(spec.kernelPath, spec.initrdPath, cmdline),
    ...(spec.disk ? guestDiskArgs({ path: spec.disk.path, cache: 'none', aio: 'io_uring', device: 'virtio-blk-device,drive=disk0' }) : []),
    ...(spec.net
      ? guestNetArgs({ tap: spec.net.tap, vhost: false, device: `virtio-net-device,netdev=net0,mac=${AARCH64_GUEST_MAC}` })
      : []),
  ]
  const devices = [
    'virtio-serial-device + virtconsole (agent, hvc0)',
    ...(spec.disk ? ['virtio-blk-device (raw, cache=none, aio=io_uring)'] : []),
    ...(spec.net ? ['virtio-net-device (tap, vhost=off)'] : []),
    'all on virtio-mmio',
  ].join('; ')
  return { argv, kernelCmdline: cmdline, devices }
}
