// Two real runs of one configuration must be comparable. Tiers record per-run details in their config
// (network namespace and veth names with pids, peer addresses, scratch paths); before config identities
// were compared, every separate-run `compare` with net jobs was refused as "not comparable".
// Needs root (container, network namespace) and the built vcwork for x86_64 and aarch64 (qemu-user):
// without them it is skipped with the reason, except under CI=true, where it fails (CI installs them).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nativeBinary } from '../../src/host/paths.js'
import { realMissing } from '../bench/need.js'
import { runCli } from '../helpers/run-cli.js'

const missing = [
  ...realMissing,
  ...(existsSync(nativeBinary('vcwork', 'aarch64'))
    ? []
    : ['the aarch64 vcwork (gcc-aarch64-linux-gnu + libc6-dev-arm64-cross, then npm run build)']),
  ...(spawnSync('sh', ['-c', 'command -v qemu-aarch64-static || command -v qemu-aarch64']).status === 0 ? [] : ['qemu-user-static']),
]
const skip = missing.length > 0 && process.env['CI'] !== 'true'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-aa-comparable-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(skip)('two separate runs of one configuration', () => {
  it('are comparable for native, the container and qemu-user, net jobs included', async () => {
    expect(missing, 'CI installs the cross compiler and qemu-user-static').toEqual([])
    for (const f of ['r1.json', 'r2.json']) {
      const r = await runCli(['bench', '--tiers', 'native,container,emu-aarch64', '--jobs', 'net.rr', '--reps', '3', '--json', f], dir)
      expect(r.code, r.stderr).toBe(0)
    }
    const c = await runCli(['compare', 'r1.json', 'r2.json', '--json', '-'], dir)
    expect(c.code, c.stderr).not.toBe(2)
    const j = JSON.parse(c.stdout) as { comparability: { comparable: boolean; problems: string[] }; cells: { tier: string }[] }
    expect(j.comparability).toEqual({ comparable: true, problems: [] })
    expect(new Set(j.cells.map((x) => x.tier))).toEqual(new Set(['native', 'container', 'emu-aarch64']))
  }, 120_000)
})
