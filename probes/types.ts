/**
 * A probe checks one capability family through the Host and returns findings. Probes are pure with
 * respect to the machine: everything they see comes through `host`, so they run unchanged on snapshots.
 */
import type { Area, Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'

/** Things a probe needs that are not facts about the host (virtcheck's own folders). */
export interface ProbeEnv {
  /** Where virtcheck caches guest kernels (`$VIRTCHECK_HOME/kernels`, `.virtcheck/kernels`). */
  readonly kernelCacheDirs: readonly string[]
  /**
   * Where this run's docker CLI would look for an engine: DOCKER_HOST / DOCKER_CONTEXT set (then only
   * `docker info` can tell), and the CLI config holding a current context. Absent: ask `docker info`.
   */
  readonly docker?: { readonly redirected: boolean; readonly configFile: string }
  /** `probe --deep`: probes may prove a capability by acting (`criu check`), bounded in time. */
  readonly deep?: boolean
}

export const DEFAULT_PROBE_ENV: ProbeEnv = { kernelCacheDirs: [] }

export interface Probe {
  /** Stable id of the probe (its findings' ids start with it, e.g. `kvm` -> `kvm.device`). */
  readonly id: string
  readonly area: Area
  /** Paths it reads (documentation and snapshot review; not enforced). */
  readonly reads: readonly string[]
  /** Commands it runs (argv), `@vcprobe` for the project's helper. */
  readonly runs?: readonly (readonly string[])[]
  check(host: Host, env?: ProbeEnv): Promise<Finding[]>
}
