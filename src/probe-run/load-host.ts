/** Open the Host a probe command works on: the live machine, or a snapshot file (validated). */
import { INPUT_LIMITS, readInputText } from '../io/input-file.js'
import { basename, join, resolve } from 'node:path'
import { InputFileError } from '../core/errors.js'
import type { Host } from '../core/host.js'
import { RealHost } from '../host/real-host.js'
import { validateSnapshot, type HostSnapshot } from '../host/snapshot.js'
import { SnapshotHost } from '../host/snapshot-host.js'
import { kernelsDir } from '../guest/cache-paths.js'
import { userHomeDir } from '../host/cache-dir.js'
import type { ProbeEnv } from '../../probes/types.js'
import { checkJsonDepth } from '../io/json-depth.js'

const SNAPSHOTS = new WeakMap<Host, HostSnapshot>()

export const loadSnapshotHost = async (file: string, cwd: string): Promise<SnapshotHost> => {
  const path = resolve(cwd, file)
  const raw = await readInputText(path, { name: file, what: 'host snapshot', maxBytes: INPUT_LIMITS.snapshot })
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    throw new InputFileError(
      `${file}: not valid JSON (truncated or not a virtcheck snapshot?)`,
      'create one with `virtcheck capture -o host.json`',
    )
  }
  checkJsonDepth(data, file)
  const snap = validateSnapshot(data, file)
  const host = new SnapshotHost(snap, basename(file))
  SNAPSHOTS.set(host, snap)
  return host
}

export const openHost = async (from: string | undefined, cwd: string): Promise<Host> =>
  from === undefined ? new RealHost() : loadSnapshotHost(from, cwd)

/**
 * The probe environment: live hosts use this machine's kernel cache; a snapshot uses the cache folder
 * recorded in it (the machine it came from had its own HOME).
 */
export const probeEnvForHost = (host: Host, env: Readonly<Record<string, string | undefined>>, cwd: string): ProbeEnv =>
  host instanceof SnapshotHost
    ? { kernelCacheDirs: Object.keys(SNAPSHOTS.get(host)?.lists ?? {}).filter((d) => /\/kernels$/.test(d)) }
    : probeEnvFor(env, cwd)

/** Where `virtcheck setup` caches guest kernels (src/guest/cache-paths.ts). */
export const probeEnvFor = (env: Readonly<Record<string, string | undefined>>, cwd: string): ProbeEnv => ({
  kernelCacheDirs: [kernelsDir(env as NodeJS.ProcessEnv)],
  docker: {
    redirected: !!env['DOCKER_HOST'] || !!env['DOCKER_CONTEXT'],
    configFile: join(
      env['DOCKER_CONFIG'] ? resolve(cwd, env['DOCKER_CONFIG']) : join(userHomeDir(env as NodeJS.ProcessEnv) ?? '/nonexistent', '.docker'),
      'config.json',
    ),
  },
})
