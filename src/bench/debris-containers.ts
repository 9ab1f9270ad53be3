/**
 * docker and podman containers a crashed run left (for `virtcheck cleanup`). A container is ours only
 * by evidence: the run's mark in its labels (src/host/run-mark.ts: owner pid and start time, in this
 * pid namespace) and a name the tier gave it (`virtcheck-<that pid>-docker0`), and that run is gone.
 * A container of a live run, of a run in another pid namespace, or without the mark is never touched.
 * The same holds for the images the docker tier imports (`virtcheck-vcwork:virtcheck-<pid>-docker<n>`,
 * labelled at import), removed after the containers made from them.
 */
import { cmd } from '../net/ip-command.js'
import { markOwnerAlive, ownPidNamespace, ownRunMark, parseRunMark, PIDNS_LABEL, RUN_LABEL, type RunMark } from '../host/run-mark.js'
import { PODMAN_GLOBAL_FLAGS } from '../tiers/container/podman.js'
import { safeLine } from '../../reports/format/safe-text.js'
import type { DebrisItem } from './debris.js'

const ENGINES: readonly (readonly string[])[] = [['docker'], ['podman', ...PODMAN_GLOBAL_FLAGS]]

const FORMAT = `{{.Id}}\t{{.Name}}\t{{index .Config.Labels "${RUN_LABEL}"}}\t{{index .Config.Labels "${PIDNS_LABEL}"}}`

/**
 * A test for marks of dead runs in this pid namespace (never this run's, a live one's or another
 * namespace's). This run's mark and namespace are read once per search, not once per container.
 */
const deadRunTest = (): ((runLabel: string, ns: string) => RunMark | undefined) => {
  const self = ownRunMark()
  const pidns = ownPidNamespace()
  return (runLabel, ns) => {
    const mark = parseRunMark(runLabel)
    if (!mark || ns !== pidns || pidns === '') return undefined
    if ((self && mark.pid === self.pid && mark.startTime === self.startTime) || markOwnerAlive(mark)) return undefined
    return mark
  }
}

/** Removal by an engine command; a failure names the engine's last line of stderr. */
const removeWith = (argv: readonly string[], what: string) => async (): Promise<void> => {
  const r = await cmd([...argv], 30_000)
  if (!r.ok) throw new Error(r.stderr.trim().split('\n').slice(-1)[0] ?? `${what} failed`)
}

const IMAGE_FORMAT = `{{.Id}}\t{{range .RepoTags}}{{.}},{{end}}\t{{index .Config.Labels "${RUN_LABEL}"}}\t{{index .Config.Labels "${PIDNS_LABEL}"}}`

/** docker images the docker tier imported (`virtcheck-vcwork:virtcheck-<pid>-docker<n>`, labelled at import) for a run that is gone. */
const findImages = async (deadRun: ReturnType<typeof deadRunTest>): Promise<DebrisItem[]> => {
  const ids = await cmd(['docker', 'images', '-q', '--no-trunc', '--filter', `label=${RUN_LABEL}`], 15_000)
  if (!ids.ok || ids.stdout.trim() === '') return []
  const info = await cmd(['docker', 'image', 'inspect', '--format', IMAGE_FORMAT, ...new Set(ids.stdout.trim().split(/\s+/))], 15_000)
  return info.stdout
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [id = '', tags = '', runLabel = '', ns = ''] = line.split('\t')
      const mark = deadRun(runLabel, ns)
      const tag = tags.split(',').find((t) => mark && new RegExp(`^virtcheck-vcwork:virtcheck-${mark.pid}-docker\\d+$`).test(t))
      if (!mark || tag === undefined) return []
      return [
        {
          kind: 'image' as const,
          what: `docker image ${safeLine(tag)} (imported by run ${mark.pid}, which is gone)`,
          remove: removeWith(['docker', 'rmi', '-f', id], 'docker rmi'),
        },
      ]
    })
}

export const findContainers = async (): Promise<DebrisItem[]> => {
  const deadRun = deadRunTest()
  const out: DebrisItem[] = []
  for (const engine of ENGINES) {
    // an engine that is missing or does not answer holds nothing of ours that we could remove
    const ids = await cmd([...engine, 'ps', '-a', '-q', '--no-trunc', '--filter', `label=${RUN_LABEL}`], 15_000)
    if (!ids.ok || ids.stdout.trim() === '') continue
    const info = await cmd([...engine, 'inspect', '--format', FORMAT, ...ids.stdout.trim().split(/\s+/)], 15_000)
    for (const line of info.stdout.split('\n').filter(Boolean)) {
      const [id = '', rawName = '', runLabel = '', ns = ''] = line.split('\t')
      const name = rawName.replace(/^\//, '')
      const mark = deadRun(runLabel, ns)
      if (!mark || !new RegExp(`^virtcheck-${mark.pid}-(docker|podman)\\d+(-\\d+)?$`).test(name)) continue
      out.push({
        kind: 'container',
        what: `${engine[0]} container ${safeLine(name)} (started by run ${mark.pid}, which is gone)`,
        remove: removeWith([...engine, 'rm', '-f', id], `${engine[0]} rm`),
      })
    }
  }
  // images after the containers made from them
  return [...out, ...(await findImages(deadRun))]
}
