/**
 * Kernel CPU lists (`0-3,6,8-9`, as in /proc/self/status Cpus_allowed_list and
 * /sys/devices/system/cpu/online) -> CPU numbers. Pure.
 */
export const parseCpuList = (text: string): number[] => {
  const out: number[] = []
  for (const part of text.trim().split(',').filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) return []
    const lo = Number(m[1])
    const hi = m[2] === undefined ? lo : Number(m[2])
    for (let c = lo; c <= hi; c++) out.push(c)
  }
  return out
}

/** The Cpus_allowed_list line of /proc/PID/status. */
export const allowedCpusFromStatus = (status: string): number[] => parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '')
