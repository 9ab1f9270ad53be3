/**
 * Which CPU repetition i runs on, when virtcheck pins host-process jobs (vcwork's `pinCpu`). Left to
 * the scheduler, two sessions tend to stay each on "their" CPU, and on a shared VM one vCPU had
 * 25-40% less memory bandwidth than the other for minutes (docs/compare.md): where a tier ran then
 * decides its result. Walking every CPU in turn, with every tier of an interleaved round on the same
 * one, puts each tier on every CPU alike. Pure.
 */

/**
 * The CPU of `ab`'s round i: 0,1,1,2,2,...,n-1,0. `ab` alternates AB and BA orders round by round, and this
 * walk gives every CPU one AB and one BA round over 2n rounds; a plain 0,1,0,1 would tie CPU 0 to AB.
 */
export const cpuFor = (i: number, cpus: readonly number[]): number | undefined => {
  if (cpus.length === 0) return undefined
  return cpus[(Math.floor(i / 2) + (i % 2)) % cpus.length]
}

/**
 * The CPU of repetition i in `bench`: plain rotation, so that every whole number of walks (a multiple of
 * the CPU count) has each CPU equally often; the runner stops adaptive repetition only there.
 */
export const rotateCpu = (i: number, cpus: readonly number[]): number | undefined => (cpus.length === 0 ? undefined : cpus[i % cpus.length])

/** At most this many CPUs in a walk: adaptive repetition stops only after whole walks, so a walk over 64 CPUs would never let it stop early. */
export const MAX_WALK = 4

/**
 * The CPUs to walk: all allowed ones up to MAX_WALK, else MAX_WALK spread evenly over the allowed list
 * (on a big host one per quarter, which crosses sockets and NUMA nodes where the numbering follows them).
 */
export const walkCpus = (allowed: readonly number[], max = MAX_WALK): number[] => {
  if (allowed.length <= max) return [...allowed]
  return Array.from({ length: max }, (_, i) => allowed[Math.floor((i * allowed.length) / max)]!)
}

/** How a run's pinning is recorded in a tier's config (part of its identity: pinned and unpinned runs differ). */
export const pinningLabel = (cpus: readonly number[]): string => `per repetition, CPUs ${cpus.join(',')}`
