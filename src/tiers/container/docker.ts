/**
 * The docker tier: an image imported locally from virtcheck's rootfs (`docker import`, no registry
 * pull), run with `--network none`. Without a reachable daemon open() fails fast with the reason.
 */
import { join } from 'node:path'
import { cmd } from '../../net/ip-command.js'
import { runMarkImageChanges } from '../../host/run-mark.js'
import { ociCliDriver } from './oci-cli.js'

export const dockerDriver = ociCliDriver({
  id: 'docker',
  binary: 'docker',
  globalFlags: [],
  async prepare(ctx, rootfs, name) {
    const tarball = join(ctx.workDir, name, 'rootfs.tar')
    const tar = await cmd(['tar', '-C', rootfs, '-cf', tarball, '.'], 60_000)
    if (!tar.ok) throw new Error(`could not pack the rootfs: ${tar.stderr.trim()}`)
    const image = `virtcheck-vcwork:${name}`
    // labelled with the run's mark, so that `virtcheck cleanup` removes it when this run is killed
    const imp = await cmd(['docker', 'import', ...runMarkImageChanges(), tarball, image], 120_000)
    if (!imp.ok) throw new Error(`docker import failed: ${imp.stderr.trim()}`)
    ctx.cleanup.add(`docker image ${image}`, async () => void (await cmd(['docker', 'rmi', '-f', image], 30_000)))
    return { source: [image], notes: { image: `${image} (imported from virtcheck's rootfs)` } }
  },
})
