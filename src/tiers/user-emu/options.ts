/**
 * `--tier-opt emu-aarch64.KEY=VALUE` (pure). `mode=user` (default): the qemu-user binary and its CPU
 * model. `mode=system`: an arm64 guest under qemu-system-aarch64 (`-M virt`), with the guest's size,
 * disk, extra kernel arguments and KPTI switch.
 */
import { UsageError } from '../../core/errors.js'
import { checkOptionKeys, numberOption } from '../option-checks.js'

/** Keys only mode=system understands. */
export const EMU_SYSTEM_OPTION_KEYS = ['smp', 'memory-mib', 'disk-mib', 'append', 'kpti', 'machine'] as const
export const EMU_OPTION_KEYS = ['mode', 'qemu-binary', 'cpu', ...EMU_SYSTEM_OPTION_KEYS] as const

export type EmuMode = 'user' | 'system'

export interface EmuOptions {
  /** undefined = first of qemu-aarch64-static, qemu-aarch64 found on PATH. */
  readonly qemuBinary?: string
  /** undefined = qemu-user's default (max). */
  readonly cpu?: string
}

type Opts = Readonly<Record<string, string>> | undefined

const checkCpu = (cpu: string | undefined): void => {
  if (cpu !== undefined && !/^[\w.+=,-]+$/.test(cpu))
    throw new UsageError(`--tier-opt emu-aarch64.cpu has unexpected characters: ${JSON.stringify(cpu)}`)
}

/** `mode=user|system`, default user. */
export const emuMode = (options: Opts): EmuMode => {
  checkOptionKeys('emu-aarch64', options, EMU_OPTION_KEYS)
  const m = options?.['mode'] ?? 'user'
  if (m !== 'user' && m !== 'system')
    throw new UsageError(`--tier-opt emu-aarch64.mode must be one of user, system, got ${JSON.stringify(m)}`)
  return m
}

/**
 * mode=user options (the system-only keys are usage errors there). Also the up-front check of every
 * emu-aarch64 option (src/bench/validate-options.ts): with mode=system it validates the system
 * options and returns the emulator binary and CPU model.
 */
export const parseEmuOptions = (options: Opts): EmuOptions => {
  if (emuMode(options) === 'system') {
    const s = parseEmuSystemOptions(options)
    return { qemuBinary: s.qemuBinary, cpu: s.cpu }
  }
  const extra = EMU_SYSTEM_OPTION_KEYS.filter((k) => options?.[k] !== undefined)
  if (extra.length) throw new UsageError(`--tier-opt emu-aarch64.${extra[0]} needs emu-aarch64.mode=system`)
  const cpu = options?.['cpu']
  checkCpu(cpu)
  return { ...(options?.['qemu-binary'] ? { qemuBinary: options['qemu-binary'] } : {}), ...(cpu ? { cpu } : {}) }
}

export interface EmuSystemOptions {
  readonly qemuBinary: string
  readonly machine: string
  readonly cpu: string
  readonly smp: number
  readonly memoryMib: number
  readonly diskMib: number
  /** Extra guest kernel arguments, after virtcheck's own. */
  readonly append: string
  /**
   * Guest kernel page-table isolation. `off` (kpti=0, default): under TCG the arm64 guest's KPTI makes
   * every syscall ~10x dearer (measured: getppid 18.7 us vs 1.7 us on cortex-a57; docs/tiers.md).
   */
  readonly kpti: 'on' | 'off'
}

export const parseEmuSystemOptions = (options: Opts): EmuSystemOptions => {
  if (emuMode(options) !== 'system') throw new UsageError('parseEmuSystemOptions needs emu-aarch64.mode=system')
  const o = options ?? {}
  checkCpu(o['cpu'])
  const machine = o['machine'] ?? 'virt'
  if (!/^virt(-[\d.]+)?$/.test(machine))
    throw new UsageError(`--tier-opt emu-aarch64.machine must be virt or virt-X.Y, got ${JSON.stringify(machine)}`)
  const append = o['append'] ?? ''
  if (/[\n\r"]/.test(append)) throw new UsageError('--tier-opt emu-aarch64.append must be one line without quotes')
  const kpti = o['kpti'] ?? 'off'
  if (kpti !== 'on' && kpti !== 'off')
    throw new UsageError(`--tier-opt emu-aarch64.kpti must be one of on, off, got ${JSON.stringify(kpti)}`)
  return {
    qemuBinary: o['qemu-binary'] ?? 'qemu-system-aarch64',
    machine,
    cpu: o['cpu'] ?? 'cortex-a57',
    smp: numberOption('emu-aarch64', o, 'smp', { min: 1, max: 8 }) ?? 1,
    memoryMib: numberOption('emu-aarch64', o, 'memory-mib', { min: 128, max: 65536 }) ?? 1024,
    diskMib: numberOption('emu-aarch64', o, 'disk-mib', { min: 64, max: 1024 * 1024 }) ?? 1024,
    append,
    kpti,
  }
}

/** argv of the emulated agent; `unshare --net` gives it its own network namespace for the peer veth. */
export const emuAgentArgv = (qemu: string, vcwork: string, o: { cpu?: string; ownNetns: boolean }): string[] => [
  ...(o.ownNetns ? ['unshare', '--net', '--'] : []),
  qemu,
  ...(o.cpu ? ['-cpu', o.cpu] : []),
  vcwork,
  'agent',
]
