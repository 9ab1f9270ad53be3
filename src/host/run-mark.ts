/**
 * The mark a virtcheck run leaves on every process it starts: `VIRTCHECK_RUN=<pid>:<start time>` in the
 * environment (inherited by QEMU, container launchers, lxc, podman, `vcwork serve`). `virtcheck cleanup`
 * owns a process only by this evidence: the mark is present and its owner — that pid with that start
 * time, so a reused pid is not mistaken for the owner — is gone. Never by a pattern in a command line.
 */
import { readFileSync, readlinkSync } from 'node:fs'

export const RUN_MARK_VAR = 'VIRTCHECK_RUN'

export interface RunMark {
  readonly pid: number
  /** Field 22 of /proc/PID/stat: clock ticks after boot; with the pid, one process for the whole uptime. */
  readonly startTime: string
}

/** Start time of a live process, or undefined when there is none with that pid. */
export const processStartTime = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

export const formatRunMark = (m: RunMark): string => `${m.pid}:${m.startTime}`

export const parseRunMark = (v: string): RunMark | undefined => {
  const m = /^(\d+):(\d+)$/.exec(v)
  return m ? { pid: Number(m[1]), startTime: m[2] as string } : undefined
}

/** This process's mark (undefined off Linux). */
export const ownRunMark = (): RunMark | undefined => {
  const startTime = processStartTime(process.pid)
  return startTime === undefined ? undefined : { pid: process.pid, startTime }
}

/** Is the run that made this mark still alive (same pid, same start time)? */
export const markOwnerAlive = (m: RunMark): boolean => processStartTime(m.pid) === m.startTime

/** The mark in a process's environment, read from /proc/PID/environ. */
export const readProcessMark = (pid: number): RunMark | undefined => {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8')
    const entry = env.split('\0').find((e) => e.startsWith(`${RUN_MARK_VAR}=`))
    return entry === undefined ? undefined : parseRunMark(entry.slice(RUN_MARK_VAR.length + 1))
  } catch {
    return undefined
  }
}

/** Put this process's mark into its environment, so that every child inherits it (once, at the entry). */
export const markThisRun = (): void => {
  const m = ownRunMark()
  if (m) process.env[RUN_MARK_VAR] = formatRunMark(m)
}

/**
 * The same mark as labels on a docker/podman container (the engine's processes do not inherit this
 * run's environment): `virtcheck.run=<pid>:<start time>`, and the pid namespace the pid belongs to, so
 * a run in another namespace (a container talking to the host's engine) is never taken for a dead one.
 */
export const RUN_LABEL = 'virtcheck.run'
export const PIDNS_LABEL = 'virtcheck.pidns'

/** This process's pid namespace (`pid:[4026531836]`), or '' where it cannot be read. */
export const ownPidNamespace = (): string => {
  try {
    return readlinkSync('/proc/self/ns/pid')
  } catch {
    return ''
  }
}

/** The same labels as `--change` flags for `docker import` (an image a killed run imported is found by them). */
export const runMarkImageChanges = (): string[] => {
  const m = ownRunMark()
  return m ? ['--change', `LABEL ${RUN_LABEL}="${formatRunMark(m)}"`, '--change', `LABEL ${PIDNS_LABEL}="${ownPidNamespace()}"`] : []
}

/** `--label` flags for `docker run` / `podman run`. */
export const runMarkLabels = (): string[] => {
  const m = ownRunMark()
  return m ? ['--label', `${RUN_LABEL}=${formatRunMark(m)}`, '--label', `${PIDNS_LABEL}=${ownPidNamespace()}`] : []
}
