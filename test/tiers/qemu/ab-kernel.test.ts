// `virtcheck ab` comparing two guest kernels: `--b kernel=PATH` on one side only. A REAL TCG guest per
// side (~2 s boot each); the cached Debian kernel is used on both sides, once found by the tier and once
// named explicitly (its release and modules must be found from the path, or the guest boots without
// virtio drivers), so the run shows the plumbing, not a kernel difference.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../helpers/run-cli.js'
import { leftoverQemu, qemuMissing, requireAll, requireGuestKernel } from './need.js'

const run = requireAll(await qemuMissing())
let dir: string
let kernelPath: string

beforeAll(async () => {
  if (!run) return
  dir = await mkdtemp(join(tmpdir(), 'vc-ab-kernel-'))
  kernelPath = await requireGuestKernel() // <cache>/<release>/boot/vmlinuz-<release>, its modules in <cache>/<release>/lib/modules
}, 300_000)
afterAll(async () => {
  if (run) await rm(dir, { recursive: true, force: true })
})

interface Run {
  tiers: { config: Record<string, string | number> }[]
}

describe.runIf(run)('ab with two guest kernels', () => {
  it('side B boots the kernel named by --b kernel=PATH; the kernel keys are the subject, not a comparability problem', async () => {
    const r = await runCli(
      [
        'ab',
        '--tier',
        'tcg-virtio',
        '--a',
        '',
        '--b',
        `kernel=${kernelPath}`,
        '--jobs',
        'sys.syscall',
        '--reps',
        '5',
        '--warmup',
        '0',
        '--save-runs',
        'k',
        '--json',
        'ab.json',
      ],
      dir,
    )
    expect([0, 1], r.stderr).toContain(r.code)
    const a = JSON.parse(await readFile(join(dir, 'k-a.json'), 'utf8')) as Run
    const b = JSON.parse(await readFile(join(dir, 'k-b.json'), 'utf8')) as Run
    expect(b.tiers[0]!.config['kernelSource']).toBe('explicit')
    expect(b.tiers[0]!.config['kernelPath']).toBe(kernelPath)
    expect(a.tiers[0]!.config['kernelSource']).not.toBe('explicit')
    const cmp = JSON.parse(await readFile(join(dir, 'ab.json'), 'utf8')) as {
      comparability: { comparable: boolean }
      cells: { job: string; numbers: { nBase: number; nHead: number } }[]
    }
    expect(cmp.comparability.comparable).toBe(true)
    expect(cmp.cells[0]).toMatchObject({ job: 'sys.syscall', numbers: { nBase: 5, nHead: 5 } })
    expect(await leftoverQemu()).toBe('')
  }, 180_000)

  it('a kernel that does not exist is a one-line error, exit 2', async () => {
    const r = await runCli(
      ['ab', '--tier', 'tcg-virtio', '--a', '', '--b', 'kernel=no/such/vmlinuz', '--jobs', 'sys.syscall', '--reps', '5'],
      dir,
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: .*no\/such\/vmlinuz: not a readable file$/m)
    expect(await leftoverQemu()).toBe('')
  }, 60_000)
})
