/**
 * `virtcheck cleanup [--dry-run]`: remove what a crashed run left behind — processes and docker/podman
 * containers carrying the mark of a run that is gone (src/host/run-mark.ts), mounts under the work
 * folder, network namespaces `virtcheck-*` (with their veth/tap), cgroups `virtcheck-*` in every v1
 * hierarchy and v2, work dirs and scratch files. Only debris whose owner process is gone is touched.
 */
import { resolve } from 'node:path'
import { EXIT } from '../../core/errors.js'
import { workDir } from '../../host/paths.js'
import { checkHomeToSearch } from '../../host/home-check.js'
import { findDebris } from '../../bench/debris.js'
import type { Command, CliContext } from '../context.js'
import { flagBool, parseFlags } from '../parse-flags.js'

const USAGE = `usage: virtcheck cleanup [--dry-run] [--home DIR]...

Finds and removes what a crashed or killed virtcheck run left behind: processes with a virtcheck
marker, mounts under the work folder, network namespaces virtcheck-* (and their veth/tap devices),
cgroups virtcheck-* (v1 and v2), work dirs and scratch files. Leftovers of a run that is still
alive are never touched. A normal run, a failed run and Ctrl-C already leave nothing behind.
A process is removed only when it carries the mark of a run that is gone (VIRTCHECK_RUN=<pid>:<start
time> in its environment, set by every run for the processes it starts), never for a pattern in its
command line; a docker or podman container (and a docker image the docker tier imported) only when
its labels carry such a mark. Also found: probe
--deep and ab working folders (with their scratch disks), run folders left without a result, and empty
lxc.pivot cgroups of a killed lxc.

options:
  --dry-run   list what would be removed, remove nothing
  --home DIR  a virtcheck home to search (repeatable; default: this one, VIRTCHECK_HOME or .virtcheck)

exit codes: 0 nothing left (or dry run), 1 something could not be removed, 2 usage (a home that is a file)`

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'remove what a crashed run left behind (namespaces, cgroups, VMs, mounts, temp files)',
  usage: USAGE,
  run: async (args: readonly string[], ctx: CliContext) => {
    const p = parseFlags('cleanup', args, { 'dry-run': { type: 'boolean' }, home: { type: 'string', multiple: true } })
    const dry = flagBool(p, 'dry-run')
    const given = p.values['home']
    const homes =
      Array.isArray(given) && given.length > 0
        ? given.filter((h): h is string => typeof h === 'string').map((h) => resolve(ctx.cwd, h))
        : [workDir(ctx)]
    for (const h of homes) checkHomeToSearch(h)
    const items = await findDebris(homes)
    if (items.length === 0) {
      ctx.out.write('nothing to clean up\n')
      return EXIT.ok
    }
    let failed = 0
    for (const item of items) {
      if (dry) {
        ctx.out.write(`would remove ${item.kind}: ${item.what}\n`)
        continue
      }
      try {
        await item.remove()
        ctx.out.write(`removed ${item.kind}: ${item.what}\n`)
      } catch (e) {
        failed++
        ctx.out.write(
          `${ctx.style.chalk.red('could not remove')} ${item.kind}: ${item.what}: ${e instanceof Error ? e.message : String(e)}\n`,
        )
      }
    }
    return failed > 0 ? EXIT.failed : EXIT.ok
  },
}
