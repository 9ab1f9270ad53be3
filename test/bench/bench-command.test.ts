import { execa } from 'execa'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import { run } from '../../src/cli/main.js'
import { assertRealAvailable, skipReal } from './need.js'

const capture = () => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  let text = ''
  ;(stream as unknown as PassThrough).on('data', (c: Buffer) => (text += c.toString()))
  return { stream, text: () => text }
}

const homes: string[] = []
afterAll(async () => {
  for (const h of homes) await rm(h, { recursive: true, force: true })
})
const home = async () => {
  const h = await mkdtemp(join(tmpdir(), 'vc-bench-cli-'))
  homes.push(h)
  return h
}
const cli = (args: string[], env: Record<string, string>) =>
  execa('npx', ['tsx', 'src/cli/entry.ts', 'bench', ...args], { reject: false, env: { ...env, NO_COLOR: '1' }, timeout: 120_000 })

describe('virtcheck bench flags', () => {
  it.each([
    [['--reps', '0'], '--reps must be an integer'],
    [['--tiers', 'native,vmware'], 'unknown value "vmware" for --tiers'],
    [['--jobs', 'cpu.int,gpu'], 'unknown value "gpu" for --jobs'],
    [['--ci-target', 'tight'], '--ci-target must be a number'],
    [['--time-budget', '1'], '--time-budget must be a number >= 5'],
    [['--tier-opt', 'container.cpu-quota=lots'], 'container.cpu-quota must be a number'],
    [['--tier-opt', 'nonsense'], '--tier-opt must look like TIER.KEY=VALUE'],
    [['--quick', '--full'], '--quick and --full exclude each other'],
    [['--kernel', '/nonexistent/vmlinuz'], '--kernel /nonexistent/vmlinuz: cannot read guest kernel: no such file'],
    [['--reps', '-1'], '--reps must be an integer'],
    [['--json', '/nonexistent/dir/x.json'], '/nonexistent/dir'],
  ])('%j is a one-line usage error', async (args, msg) => {
    // in-process: flags are checked before anything is probed or started
    const out = capture()
    const err = capture()
    const code = await run(['bench', ...args], {
      stdout: out.stream,
      stderr: err.stream,
      env: { NO_COLOR: '1', VIRTCHECK_HOME: await home() },
      cwd: process.cwd(),
    })
    expect(code).toBe(2)
    expect(err.text()).toContain(msg)
    expect(err.text().trim().split('\n').length).toBeLessThanOrEqual(2) // message (+ hint), no stack trace
  })
})

describe.skipIf(skipReal)('virtcheck bench end to end', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('writes the JSON, prints the matrix, exits 0', async () => {
    const h = await home()
    const r = await cli(['--tiers', 'native,container', '--jobs', 'cpu.int', '--reps', '3', '--json', join(h, 'out.json')], {
      VIRTCHECK_HOME: h,
    })
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('cpu.int')
    const report = JSON.parse(await readFile(join(h, 'out.json'), 'utf8'))
    expect(report.partial).toBe(false)
    expect(report.tiers.map((t: { tier: string; state: string }) => `${t.tier}:${t.state}`)).toEqual([
      'native:completed',
      'container:completed',
    ])
    const ctr = report.results.find((x: { tier: string }) => x.tier === 'container')
    expect(ctr.samples).toHaveLength(3)
    expect(ctr.ratioToNative.value).toBeGreaterThan(0.5)
    expect(await readdir(join(h, 'runs'))).toHaveLength(1)
  }, 120_000)

  it('Ctrl-C: exits 130, keeps a partial result, leaves nothing behind', async () => {
    const h = await home()
    // node itself (not npx) so the signal reaches virtcheck as a terminal's Ctrl-C would
    const child = execa(
      'node',
      ['--import', 'tsx', 'src/cli/entry.ts', 'bench', '--tiers', 'native,container', '--jobs', 'cpu.int,sys.syscall', '--reps', '8'],
      {
        reject: false,
        env: { VIRTCHECK_HOME: h, NO_COLOR: '1' },
        timeout: 120_000,
      },
    )
    // interrupt once the container tier runs (its namespaces, cgroups and rootfs exist then)
    let seen = ''
    child.stderr!.on('data', (c: Buffer) => {
      seen += c.toString()
      // the progress line of the first finished job: the second job is running now
      if (seen.includes('container cpu.int') && !sent) {
        sent = true
        setTimeout(() => child.kill('SIGINT'), 300)
      }
    })
    let sent = false
    const r = await child
    expect(r.exitCode, r.stderr).toBe(130)
    const runs = await readdir(join(h, 'runs'))
    const report = JSON.parse(await readFile(join(h, 'runs', runs[0]!, 'result.json'), 'utf8'))
    expect(report.partial).toBe(true)
    // native and container are interleaved (one group): both stop; what was measured is kept
    expect(report.tiers.map((t: { state: string }) => t.state)).toEqual(['interrupted', 'interrupted'])
    expect(report.results.some((x: { tier: string; samples: number[] }) => x.tier === 'container' && x.samples.length > 0)).toBe(true)
    expect((await readdir(join(h, 'runs', runs[0]!))).filter((n) => n.startsWith('work-'))).toEqual([])
    // none of the interrupted run's cgroups remain (only its own: other virtcheck runs on this machine
    // may create and remove theirs at any moment)
    const cgroups = (await execa('sh', ['-c', 'ls /sys/fs/cgroup/*/'])).stdout
    expect(cgroups).not.toMatch(new RegExp(`virtcheck-${child.pid}-ctr`))
  }, 120_000)
})
