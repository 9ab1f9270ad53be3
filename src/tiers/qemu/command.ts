/**
 * Pure: the QEMU command line of a guest, built in one place so docs/tiers.md, the recorded config
 * and the process that runs agree. Fast-boot choices (docs/tiers.md, "Why these choices"): `-nodefaults
 * -no-user-config`, qboot firmware, the uncompressed vmlinux booted through PVH, `cryptomgr.notests`
 * (saves ~0.35 s under TCG). ttyS0 is the kernel console (QEMU's stdout, kept as evidence); the
 * agent channel (virtio console hvc0, or ttyS1) is a unix socket QEMU waits on (`wait=on`) so no
 * agent byte can be lost.
 */
import { AGENT_CHANNELS, type DeviceProfile, type Accel } from './profiles.js'
import type { QemuOptions } from './options.js'

export interface GuestCommandSpec {
  readonly name: string
  readonly accel: Accel
  readonly options: QemuOptions
  readonly devices: DeviceProfile
  readonly kernelPath: string
  readonly initrdPath: string
  readonly agentSocket: string
  /** qboot.rom when it exists (faster than SeaBIOS); undefined = QEMU's default firmware. */
  readonly firmware?: string
  readonly disk?: { readonly path: string }
  readonly net?: { readonly tap: string; readonly vhost: boolean; readonly guestCidr: string }
}

export interface GuestCommand {
  readonly argv: readonly string[]
  readonly kernelCmdline: string
  readonly deviceArgs: readonly string[]
}

export const GUEST_MAC = '52:54:00:76:63:01'

export const kernelCmdline = (spec: GuestCommandSpec): string =>
  guestKernelCmdline({
    console: 'ttyS0',
    agentDevice: AGENT_CHANNELS[spec.options.agentChannel].guestDevice,
    ...(spec.disk ? { disk: spec.devices.guestDisk } : {}),
    ...(spec.net ? { ip: spec.net.guestCidr } : {}),
    ...(spec.options.append ? { append: spec.options.append } : {}),
  })

export const buildGuestCommand = (spec: GuestCommandSpec): GuestCommand => {
  const o = spec.options
  const cmdline = kernelCmdline(spec)
  const deviceArgs = [
    ...(spec.disk
      ? guestDiskArgs({ path: spec.disk.path, cache: o.cache, aio: o.aio, device: spec.devices.diskDevice('disk0', o.ioeventfd) })
      : []),
    ...(spec.net
      ? guestNetArgs({
          tap: spec.net.tap,
          vhost: spec.net.vhost,
          device: `${spec.devices.nic},netdev=net0,mac=${GUEST_MAC}${spec.devices.nicProps(o.ioeventfd)}`,
        })
      : []),
  ]
  const argv = [
    ...guestBaseArgv({
      qemuBinary: o.qemuBinary,
      name: spec.name,
      machine: o.machine,
      accel: spec.accel,
      cpu: o.cpu,
      smp: o.smp,
      memoryMib: o.memoryMib,
      ...(spec.firmware ? { firmware: spec.firmware } : {}),
      agentSocket: spec.agentSocket,
      agentDevices:
        o.agentChannel === 'virtio'
          ? ['-device', 'virtio-serial-pci,id=vcser0', '-device', 'virtconsole,chardev=agent0,bus=vcser0.0']
          : ['-serial', 'chardev:agent0'],
    }),
    ...guestBootArgs(spec.kernelPath, spec.initrdPath, cmdline),
    ...deviceArgs,
  ]
  return { argv, kernelCmdline: cmdline, deviceArgs }
}

// ---- The pieces every virtcheck guest shares, x86 or arm64 (src/tiers/user-emu/system-command.ts) ----

/**
 * The guest kernel's command line: its console, `quiet panic=-1`, the architecture's own options
 * (`archOptions`, e.g. arm64 `kpti=0`), `cryptomgr.notests` (saves ~0.35 s under TCG), then what
 * virtcheck's init reads (the agent channel, the benchmark disk, the guest address) and the user's --append.
 */
export const guestKernelCmdline = (k: {
  readonly console: string
  readonly archOptions?: readonly string[]
  readonly agentDevice: string
  readonly disk?: string
  readonly ip?: string
  readonly append?: string
}): string =>
  [
    `console=${k.console}`,
    'quiet',
    'panic=-1',
    ...(k.archOptions ?? []),
    'cryptomgr.notests',
    `virtcheck.agent=${k.agentDevice}`,
    ...(k.disk ? [`virtcheck.disk=${k.disk}`] : []),
    ...(k.ip ? [`virtcheck.ip=${k.ip}`] : []),
    ...(k.append ? [k.append] : []),
  ].join(' ')

/** The direct kernel boot: kernel, initramfs, command line. */
export const guestBootArgs = (kernelPath: string, initrdPath: string, cmdline: string): string[] => [
  '-kernel',
  kernelPath,
  '-initrd',
  initrdPath,
  '-append',
  cmdline,
]

/** The raw benchmark disk `disk0` on `device`. */
export const guestDiskArgs = (d: {
  readonly path: string
  readonly cache: string
  readonly aio: string
  readonly device: string
}): string[] => [
  '-drive',
  // werror/rerror=report: a write the host cannot do (ENOSPC) fails in the guest at once instead of
  // pausing the VM (QEMU's default werror=enospc), which showed as 33-40 s agent time-outs
  `file=${d.path},format=raw,if=none,id=disk0,cache=${d.cache},aio=${d.aio},werror=report,rerror=report`,
  '-device',
  d.device,
]

/** The NIC on tap `net0` (`device`: the NIC model with `netdev=net0` and its MAC). */
export const guestNetArgs = (n: { readonly tap: string; readonly vhost: boolean; readonly device: string }): string[] => [
  '-netdev',
  `tap,id=net0,ifname=${n.tap},script=no,downscript=no,vhost=${n.vhost ? 'on' : 'off'}`,
  '-device',
  n.device,
]

/**
 * What every virtcheck guest shares, x86 or arm64: no defaults, no display, the kernel console on the
 * first serial port (its tail is the evidence when a boot fails), and the agent socket `agent0` that the
 * caller attaches to a device (`agentDevices`).
 */
export const guestBaseArgv = (g: {
  readonly qemuBinary: string
  readonly name: string
  readonly machine: string
  readonly accel: string
  readonly cpu: string
  readonly smp: number
  readonly memoryMib: number
  readonly firmware?: string
  readonly agentSocket: string
  readonly agentDevices: readonly string[]
}): string[] => [
  g.qemuBinary,
  '-name',
  g.name,
  '-machine',
  g.machine,
  '-accel',
  g.accel,
  '-cpu',
  g.cpu,
  '-smp',
  String(g.smp),
  '-m',
  String(g.memoryMib),
  ...(g.firmware ? ['-bios', g.firmware] : []),
  '-nodefaults',
  '-no-user-config',
  '-display',
  'none',
  '-no-reboot',
  '-chardev',
  'stdio,id=console0,signal=off',
  '-serial',
  'chardev:console0',
  '-chardev',
  `socket,id=agent0,path=${g.agentSocket},server=on,wait=on`,
  ...g.agentDevices,
]

/** A shell-quoted rendering for logs and docs (never executed through a shell). */
export const renderArgv = (argv: readonly string[]): string =>
  argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
