/** `/proc/self/status` -> capabilities and seccomp state. */

export interface ProcStatus {
  readonly capEff: bigint | undefined
  readonly capBnd: bigint | undefined
  readonly seccomp: number | undefined
  readonly noNewPrivs: boolean | undefined
}

export const CAP = { SYS_ADMIN: 21, NET_ADMIN: 12, SYS_RAWIO: 17, SYS_RESOURCE: 24, SYS_PTRACE: 19, MKNOD: 27 } as const

export const parseProcStatus = (text: string): ProcStatus => {
  const get = (k: string) => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(text)?.[1]
  const hex = (v: string | undefined) => (v !== undefined && /^[0-9a-f]+$/i.test(v) ? BigInt('0x' + v) : undefined)
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined)
  const nnp = num(get('NoNewPrivs'))
  return {
    capEff: hex(get('CapEff')),
    capBnd: hex(get('CapBnd')),
    seccomp: num(get('Seccomp')),
    noNewPrivs: nnp === undefined ? undefined : nnp === 1,
  }
}

export const hasCap = (mask: bigint | undefined, cap: number): boolean | undefined =>
  mask === undefined ? undefined : ((mask >> BigInt(cap)) & 1n) === 1n

/** A full capability set (all bits up to CAP_LAST_CAP 40 set, as in a privileged container or root). */
export const isFullCapSet = (mask: bigint | undefined): boolean => mask !== undefined && (mask & 0x1fffeffffffn) === 0x1fffeffffffn
