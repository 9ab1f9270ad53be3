/**
 * The four x86 QEMU tiers: accelerator x device model. Both device models sit on the same q35
 * machine and the same guest kernel, so a virtio-vs-emulated difference is the devices alone.
 * Emulated devices: Intel e1000 NIC and the q35's built-in ICH9 AHCI controller (SATA disk).
 * Both need Debian's generic kernel: the cloud kernel has neither e1000 nor AHCI (docs/tiers.md);
 * the tier then fails with that reason rather than quietly using virtio.
 */
import type { TierId } from '../../core/tier.js'

export type Accel = 'kvm' | 'tcg'
export type DeviceModel = 'virtio' | 'emulated'

export interface DeviceProfile {
  readonly model: DeviceModel
  readonly nic: string
  readonly diskDevice: (driveId: string, ioeventfd: 'on' | 'off') => string
  /** Extra NIC properties (ioeventfd for virtio). */
  readonly nicProps: (ioeventfd: 'on' | 'off') => string
  /** Block device the guest sees for the benchmark disk. */
  readonly guestDisk: string
  /** Guest kernel modules the devices need (dependencies are added by the initramfs build). */
  readonly diskModules: readonly string[]
  readonly nicModules: readonly string[]
  /** In words, for the recorded config. */
  readonly diskLabel: string
}

export const DEVICE_PROFILES: Readonly<Record<DeviceModel, DeviceProfile>> = {
  virtio: {
    model: 'virtio',
    nic: 'virtio-net-pci',
    diskDevice: (id, ioeventfd) => `virtio-blk-pci,drive=${id}${ioeventfd === 'off' ? ',ioeventfd=off' : ''}`,
    nicProps: (ioeventfd) => (ioeventfd === 'off' ? ',ioeventfd=off' : ''),
    guestDisk: '/dev/vda',
    diskModules: ['virtio_pci', 'virtio_blk'],
    nicModules: ['virtio_pci', 'virtio_net'],
    diskLabel: 'virtio-blk-pci',
  },
  emulated: {
    model: 'emulated',
    nic: 'e1000',
    // ide.0 is the first port of the q35's built-in ICH9 AHCI controller.
    diskDevice: (id) => `ide-hd,drive=${id},bus=ide.0`,
    nicProps: () => '',
    guestDisk: '/dev/sda',
    diskModules: ['ahci', 'sd_mod'],
    nicModules: ['e1000'],
    diskLabel: 'SATA disk on ICH9 AHCI (ide-hd)',
  },
}

export interface QemuTierProfile {
  readonly tier: TierId
  readonly accel: Accel
  readonly devices: DeviceProfile
}

export const QEMU_TIER_PROFILES: readonly QemuTierProfile[] = [
  { tier: 'kvm-virtio', accel: 'kvm', devices: DEVICE_PROFILES.virtio },
  { tier: 'kvm-emulated', accel: 'kvm', devices: DEVICE_PROFILES.emulated },
  { tier: 'tcg-virtio', accel: 'tcg', devices: DEVICE_PROFILES.virtio },
  { tier: 'tcg-emulated', accel: 'tcg', devices: DEVICE_PROFILES.emulated },
]

/** On `-machine pc` the emulated disk sits on the PIIX IDE controller (ata_piix) instead of AHCI. */
export const forMachine = (p: DeviceProfile, machine: 'q35' | 'pc'): DeviceProfile =>
  p.model === 'emulated' && machine === 'pc' ? { ...p, diskModules: ['ata_piix', 'sd_mod'], diskLabel: 'IDE disk on PIIX (ide-hd)' } : p

/** Modules to put in the initramfs: disk always, NIC only when the guest gets a network. */
export const guestModules = (p: DeviceProfile, withNetwork: boolean): string[] => [
  ...new Set([...p.diskModules, ...(withNetwork ? p.nicModules : [])]),
]

/**
 * The agent's channel. A 16550 UART raises an interrupt per 16-byte FIFO load: under TCG a 250-byte
 * sample line costs the guest ~7 ms of interrupt work, done while the *next* repetition runs
 * (measured: 30 lines took 245 ms of wall time for 31 ms of work). A virtio console moves a line per
 * interrupt, so the measurement channel does not tax the measurement. Same channel in every device
 * model, so it does not confound virtio-vs-emulated.
 */
export const AGENT_CHANNELS = {
  virtio: {
    modules: ['virtio_pci', 'virtio_console'],
    guestDevice: '/dev/hvc0',
    label: 'virtio console (hvc0) on virtio-serial-pci, unix socket',
  },
  serial: { modules: [], guestDevice: '/dev/ttyS1', label: 'second 16550 UART (ttyS1), unix socket' },
} as const
