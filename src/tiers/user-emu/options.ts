/** `--tier-opt emu-aarch64.KEY=VALUE`: the qemu-user binary and its CPU model (pure). */
import { UsageError } from '../../core/errors.js'
import { checkOptionKeys } from '../../bench/tier-options.js'

export const EMU_OPTION_KEYS = ['qemu-binary', 'cpu'] as const

export interface EmuOptions {
  /** undefined = first of qemu-aarch64-static, qemu-aarch64 found on PATH. */
  readonly qemuBinary?: string
  /** undefined = qemu-user's default (max). */
  readonly cpu?: string
}

export const parseEmuOptions = (options: Readonly<Record<string, string>> | undefined): EmuOptions => {
  checkOptionKeys('emu-aarch64', options, EMU_OPTION_KEYS)
  const cpu = options?.['cpu']
  if (cpu !== undefined && !/^[\w.+=,-]+$/.test(cpu)) throw new UsageError(`bench: --tier-opt emu-aarch64.cpu has unexpected characters: ${JSON.stringify(cpu)}`)
  return { ...(options?.['qemu-binary'] ? { qemuBinary: options['qemu-binary'] } : {}), ...(cpu ? { cpu } : {}) }
}

/** argv of the emulated agent; `unshare --net` gives it its own network namespace for the peer veth. */
export const emuAgentArgv = (qemu: string, vcwork: string, o: { cpu?: string; ownNetns: boolean }): string[] => [
  ...(o.ownNetns ? ['unshare', '--net', '--'] : []),
  qemu,
  ...(o.cpu ? ['-cpu', o.cpu] : []),
  vcwork,
  'agent',
]
