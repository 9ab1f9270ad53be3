import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ownerPid } from '../../src/bench/debris.js'
import { processStartTime } from '../../src/host/run-mark.js'
import { assertRealAvailable, skipReal } from './need.js'
import { leftovers, resultOf, snapshot, startRun } from '../hostile/leftovers.js'

const cli = (args: string[], env: Record<string, string>) =>
  execa('npx', ['tsx', 'src/cli/entry.ts', ...args], { reject: false, env: { ...env, NO_COLOR: '1' }, timeout: 60_000 })

describe('debris names', () => {
  it('extracts the owner pid', () => {
    expect(ownerPid('virtcheck-1234-ctr0')).toBe(1234)
    expect(ownerPid('lxc.payload.virtcheck-77-lxc0')).toBe(77)
    expect(ownerPid('virtcheck-kernel-x')).toBeUndefined()
  })
})

describe.skipIf(skipReal)('virtcheck cleanup (planted debris)', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('removes a dead run’s netns, cgroup, marked process and work dir, and leaves a live run’s alone', async () => {
    const exited = execa('true')
    const dead = exited.pid! // a pid that just exited: a "crashed run"
    await exited
    const home = await mkdtemp(join(tmpdir(), 'vc-cleanup-'))
    const ns = `virtcheck-${dead}-0`
    const liveNs = `virtcheck-${process.pid}-9`
    const cg = `/sys/fs/cgroup/pids/virtcheck-${dead}-ctr0`
    // marked as started by the dead run (the mark every run puts in its children's environment)
    const proc = execa('sleep', ['300'], { reject: false, env: { VIRTCHECK_RUN: `${dead}:1` } })
    try {
      await execa('ip', ['netns', 'add', ns])
      await execa('ip', ['netns', 'add', liveNs])
      await mkdir(cg)
      const work = join(home, 'runs', 't', `work-${dead}`)
      await mkdir(work, { recursive: true })
      await mkdir(join(home, 'scratch'), { recursive: true })
      await writeFile(join(home, 'scratch', 'vc-container-io-seq.dat'), 'x')
      await new Promise((r) => setTimeout(r, 200))

      const dry = await cli(['cleanup', '--dry-run'], { VIRTCHECK_HOME: home })
      expect(dry.exitCode).toBe(0)
      expect(dry.stdout).toContain(`would remove netns: network namespace ${ns}`)
      expect(existsSync(cg)).toBe(true)

      const r = await cli(['cleanup'], { VIRTCHECK_HOME: home })
      expect(r.exitCode, r.stdout + r.stderr).toBe(0)
      expect(r.stdout).toContain(`removed netns: network namespace ${ns}`)
      expect(r.stdout).toContain(`removed cgroup: ${cg}`)
      expect(r.stdout).toContain(`removed process: pid ${proc.pid}`)
      expect(r.stdout).not.toContain(liveNs)
      const list = (await execa('ip', ['netns', 'list'])).stdout
      expect(list).not.toContain(ns)
      expect(list).toContain(liveNs) // a live owner's namespace is not touched
      expect(existsSync(cg)).toBe(false)
      expect(existsSync(work)).toBe(false)
      expect(existsSync(join(home, 'scratch', 'vc-container-io-seq.dat'))).toBe(false)
      const res = await proc
      expect(res.signal).toBe('SIGKILL')
    } finally {
      proc.kill('SIGKILL')
      await execa('ip', ['netns', 'del', ns], { reject: false })
      await execa('ip', ['netns', 'del', liveNs], { reject: false })
      await execa('rmdir', [cg], { reject: false })
      await rm(home, { recursive: true, force: true })
    }
  }, 90_000)
})

/*
 * Ownership by evidence: a process only when it carries the mark of a run that is gone (pid AND start
 * time), never for a `virtcheck-<pid>-` anywhere in its command line or its home's name; probe --deep
 * and ab folders and empty run folders are found under every --home given.
 */
const ownRoot = mkdtempSync(join(tmpdir(), 'virtcheck-own-'))
const started: { kill: () => void }[] = []
afterAll(() => {
  for (const p of started) p.kill()
  rmSync(ownRoot, { recursive: true, force: true })
})
const cleanupCli = (args: string[]) =>
  execa('node', ['--import', 'tsx', 'src/cli/entry.ts', 'cleanup', ...args], {
    reject: false,
    env: { NO_COLOR: '1', VIRTCHECK_HOME: join(ownRoot, 'default-home') },
  })

// in this file, not its own: a cleanup that removes things must not run beside another file's planted debris
describe.skipIf(skipReal)('cleanup owns by evidence', () => {
  it('never lists an unmarked process, a live owner’s, or one named after a pid; lists a dead owner’s (pid reuse checked)', async () => {
    const exited = execa('true')
    const dead = exited.pid!
    await exited
    const me = `${process.pid}:${processStartTime(process.pid)}`
    const sleeper = (env: Record<string, string>, argv: string[] = ['300']) => {
      const p = execa('sleep', argv, { reject: false, env })
      started.push(p)
      return p
    }
    // the issue's cases: an unrelated command naming virtcheck-<dead>- and a live run under a home so named
    const unrelated = execa('sh', ['-c', 'sleep 300', `/tmp/virtcheck-${dead}-notes.txt`], { reject: false, env: {} })
    started.push(unrelated)
    const liveOwned = sleeper({ VIRTCHECK_RUN: me, VIRTCHECK_HOME: join(ownRoot, `virtcheck-${dead}-home`) })
    // our pid, but another start time: the pid was reused, the marking run is gone
    const reused = sleeper({ VIRTCHECK_RUN: `${process.pid}:1` })
    const orphan = sleeper({ VIRTCHECK_RUN: `${dead}:1` })
    await new Promise((r) => setTimeout(r, 300))
    const r = await cleanupCli(['--dry-run'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).not.toContain(`pid ${unrelated.pid}:`)
    expect(r.stdout).not.toContain(`pid ${liveOwned.pid}:`)
    expect(r.stdout).toContain(`pid ${reused.pid}:`)
    expect(r.stdout).toContain(`pid ${orphan.pid}:`)
  }, 60_000)

  it('finds probe --deep and ab folders and empty run folders of dead runs under every --home', async () => {
    const exited = execa('true')
    const dead = exited.pid!
    await exited
    const deep = mkdtempSync(join(tmpdir(), `virtcheck-deep-${dead}-kvm-virtio-`))
    writeFileSync(join(deep, 'disk.raw'), 'x')
    const liveDeep = mkdtempSync(join(tmpdir(), `virtcheck-deep-${process.pid}-kvm-virtio-`))
    const h1 = join(ownRoot, 'h1')
    const h2 = join(ownRoot, 'h2')
    mkdirSync(join(h1, `ab-${dead}-abc`, 'scratch'), { recursive: true })
    mkdirSync(join(h2, 'runs', '2026-01-01T00-00-00-000Z'), { recursive: true })
    mkdirSync(join(h2, 'runs', '2026-01-02T00-00-00-000Z'), { recursive: true })
    writeFileSync(join(h2, 'runs', '2026-01-02T00-00-00-000Z', 'result.json'), '{}')
    try {
      const dry = await cleanupCli(['--dry-run', '--home', h1, '--home', h2])
      expect(dry.stdout).toContain(`${deep}/ (probe --deep working folder`)
      expect(dry.stdout).not.toContain(liveDeep)
      expect(dry.stdout).toContain(`${join(h1, `ab-${dead}-abc`)}/ (working folder of a killed ab)`)
      expect(dry.stdout).toContain(`${join(h2, 'runs', '2026-01-01T00-00-00-000Z')}/ (run folder with no result)`)
      expect(dry.stdout).not.toContain('2026-01-02T00-00-00-000Z')
      const r = await cleanupCli(['--home', h1, '--home', h2])
      expect(r.exitCode, r.stdout).toBe(0)
      expect(existsSync(deep)).toBe(false)
      expect(existsSync(join(h1, `ab-${dead}-abc`))).toBe(false)
      expect(existsSync(join(h2, 'runs', '2026-01-01T00-00-00-000Z'))).toBe(false)
      expect(readFileSync(join(h2, 'runs', '2026-01-02T00-00-00-000Z', 'result.json'), 'utf8')).toBe('{}')
      expect(existsSync(liveDeep)).toBe(true)
    } finally {
      rmSync(deep, { recursive: true, force: true })
      rmSync(liveDeep, { recursive: true, force: true })
    }
  }, 60_000)
  it('removes an empty lxc.pivot cgroup a killed lxc left (and leaves one that holds a process)', async () => {
    // lxc.pivot is lxc's, not ours: it is left alone while any lxc process runs (another test's lxc tier)
    const lxcRunning = () =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .some((d) => {
          try {
            return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('lxc')
          } catch {
            return false
          }
        })
    const noLxc = async () => {
      for (let i = 0; i < 120 && lxcRunning(); i++) await new Promise((r) => setTimeout(r, 500))
      expect(lxcRunning()).toBe(false)
    }
    const pivot = '/sys/fs/cgroup/pids/lxc.pivot'
    const held = '/sys/fs/cgroup/memory/lxc.pivot'
    const planted = [pivot, held].filter((d) => !existsSync(d))
    for (const d of planted) mkdirSync(d)
    const sleeper = execa('sleep', ['300'], { reject: false })
    started.push(sleeper)
    try {
      writeFileSync(join(held, 'cgroup.procs'), String(sleeper.pid))
      // an lxc tier test in another file may start between the wait and the look: then look again
      let dry = { stdout: '' }
      for (let i = 0; i < 5 && !dry.stdout.includes(`${pivot} (empty`); i++) {
        await noLxc()
        dry = await cleanupCli(['--dry-run'])
      }
      expect(dry.stdout).toContain(`would remove cgroup: ${pivot} (empty lxc.pivot left by a killed lxc)`)
      expect(dry.stdout).not.toContain(held)
      let r = { stdout: '' }
      for (let i = 0; i < 5 && !r.stdout.includes(`removed cgroup: ${pivot}`); i++) {
        await noLxc()
        r = await cleanupCli([])
      }
      expect(r.stdout).toContain(`removed cgroup: ${pivot}`)
      expect(existsSync(pivot)).toBe(false)
      expect(existsSync(held)).toBe(true)
    } finally {
      sleeper.kill('SIGKILL')
      await sleeper
      for (const d of planted.filter((x) => existsSync(x))) await execa('rmdir', [d], { reject: false }) // a cgroup goes by rmdir only
    }
  }, 90_000)
  it('removes a podman container marked by a dead run, never a live run’s or another pid namespace’s', async () => {
    const exited = execa('true')
    const dead = exited.pid!
    await exited
    const podman = ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs']
    const rootfs = mkdtempSync(join(tmpdir(), 'vc-cleanup-rootfs-'))
    const ns = readlinkSync('/proc/self/ns/pid')
    const me = `${process.pid}:${processStartTime(process.pid)}`
    const plant = (name: string, mark: string, pidns = ns) =>
      execa(podman[0]!, [
        ...podman.slice(1),
        'create',
        '--name',
        name,
        '--label',
        `virtcheck.run=${mark}`,
        '--label',
        `virtcheck.pidns=${pidns}`,
        // --rootfs takes the first positional as the root: every flag comes before it
        '--rootfs',
        rootfs,
        '/bin/true',
      ])
    const names = {
      orphan: `virtcheck-${dead}-podman0`,
      live: `virtcheck-${process.pid}-podman7`,
      otherNs: `virtcheck-${dead}-podman1`,
    }
    try {
      await plant(names.orphan, `${dead}:1`)
      await plant(names.live, me)
      await plant(names.otherNs, `${dead}:1`, 'pid:[1]')
      const dry = await cleanupCli(['--dry-run'])
      expect(dry.stdout).toContain(`would remove container: podman container ${names.orphan} (started by run ${dead}, which is gone)`)
      expect(dry.stdout).not.toContain(names.live)
      expect(dry.stdout).not.toContain(names.otherNs)
      const r = await cleanupCli([])
      expect(r.stdout).toContain(`removed container: podman container ${names.orphan}`)
      const left = (await execa(podman[0]!, [...podman.slice(1), 'ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n')
      expect(left).not.toContain(names.orphan)
      expect(left).toEqual(expect.arrayContaining([names.live, names.otherNs]))
    } finally {
      for (const n of Object.values(names)) await execa(podman[0]!, [...podman.slice(1), 'rm', '-f', n], { reject: false })
      rmSync(rootfs, { recursive: true, force: true })
    }
  }, 90_000)
})

/*
 * SIGKILL of a real run mid-container-job, then `cleanup`: everything the full enumeration
 * (test/hostile/leftovers.ts) sees is gone, while a live run in another home keeps going and completes.
 */
describe.skipIf(skipReal)('cleanup after SIGKILL', () => {
  it('removes every leftover of a killed container run and never touches a live run in another home', async () => {
    const base = mkdtempSync(join(tmpdir(), 'virtcheck-kill-'))
    try {
      const tags = ['killed', 'live']
      const before = await Promise.all(tags.map((t) => snapshot({ home: join(base, `${t}-home`), tmp: join(base, `${t}-tmp`), pids: [] })))
      // the live run: ~20 s, long enough to outlast the killed one and the cleanup
      const live = startRun(base, 'live', ['--tiers', 'container', '--jobs', 'sys.syscall,cpu.int,net.stream', '--reps', '30'])
      const killed = startRun(base, 'killed', ['--tiers', 'container', '--jobs', 'sys.syscall,net.stream'])
      expect(await killed.when(/\[1\/2\] container sys\.syscall/), killed.seen()).toBe(true) // net.stream runs
      expect(await live.when(/container: starting/), live.seen()).toBe(true)
      killed.child.kill('SIGKILL')
      expect((await killed.child).signal).toBe('SIGKILL')
      const left = await leftovers(before[0]!, killed.scope, 0)
      // what a killed run leaves, as the enumeration sees it: the cleanup has something to do
      for (const kind of ['process', 'netns', 'cgroup', 'file'])
        expect(
          left.some((l) => l.startsWith(`${kind}:`)),
          `${kind} in ${left.join('\n')}`,
        ).toBe(true)
      const liveProcs = [...((await snapshot(live.scope)).get('process') ?? [])]
      expect(liveProcs.length).toBeGreaterThan(0)

      const r = await execa('node', ['--import', 'tsx', 'src/cli/entry.ts', 'cleanup', '--home', killed.scope.home], {
        reject: false,
        env: { NO_COLOR: '1', VIRTCHECK_HOME: killed.scope.home },
      })
      expect(r.exitCode, r.stdout + r.stderr).toBe(0)
      expect(live.child.exitCode, 'the live run was still going during the cleanup').toBe(null)
      expect(await leftovers(before[0]!, killed.scope)).toEqual([])
      // the live run's processes are all still there (or ended by the run itself, checked by its exit)
      const stillThere = (await snapshot(live.scope)).get('process') ?? new Set()
      const gone = liveProcs.filter((p) => !stillThere.has(p))
      expect(live.child.exitCode === null ? gone : [], 'live processes killed by cleanup').toEqual([])
      expect(r.stdout).not.toContain(`-${live.scope.pids[0]}-`)
      const res = await live.child
      expect(res.exitCode, res.stderr).toBe(0)
      expect(resultOf(live.scope.home)?.partial).toBe(false)
      expect(await leftovers(before[1]!, live.scope)).toEqual([])
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  }, 120_000)
})

/*
 * docker images of a killed run: the docker tier imports `virtcheck-vcwork:virtcheck-<pid>-docker<n>`
 * labelled with the run's mark; `cleanup` removes it once that run is gone, never a live run's image or
 * one of another pid namespace. CI runs a private dockerd and exports DOCKER_HOST.
 */
const dockerAnswers =
  (await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 20_000 })).exitCode === 0
const skipDocker = (skipReal || !dockerAnswers) && process.env['CI'] !== 'true'
describe('cleanup of docker images', () => {
  it.skipIf(!skipDocker)('skipped: no docker engine answers here (CI runs a private dockerd)', () => undefined)

  it.skipIf(skipDocker)(
    'removes the image of a SIGKILLed docker run, never a live run’s or another pid namespace’s',
    async () => {
      expect(dockerAnswers, 'a docker engine answers (CI: DOCKER_HOST of the private dockerd)').toBe(true)
      const base = mkdtempSync(join(tmpdir(), 'virtcheck-dimg-'))
      const tags = (await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout
      const exited = execa('true')
      const dead = exited.pid!
      await exited
      const ns = readlinkSync('/proc/self/ns/pid')
      const planted = {
        live: `virtcheck-vcwork:virtcheck-${process.pid}-docker7`,
        otherNs: `virtcheck-vcwork:virtcheck-${dead}-docker1`,
      }
      let killedTag = ''
      try {
        mkdirSync(join(base, 'empty'))
        await execa('tar', ['-C', join(base, 'empty'), '-cf', join(base, 'empty.tar'), '.'])
        const plant = (tag: string, mark: string, pidns: string) =>
          execa('docker', [
            'import',
            '--change',
            `LABEL virtcheck.run="${mark}"`,
            '--change',
            `LABEL virtcheck.pidns="${pidns}"`,
            join(base, 'empty.tar'),
            tag,
          ])
        await plant(planted.live, `${process.pid}:${processStartTime(process.pid)}`, ns)
        await plant(planted.otherNs, `${dead}:1`, 'pid:[1]')

        const killed = startRun(base, 'dk', ['--tiers', 'docker', '--jobs', 'sys.syscall,cpu.int'])
        expect(await killed.when(/\[1\/2\] docker sys\.syscall/), killed.seen()).toBe(true)
        killed.child.kill('SIGKILL')
        await killed.child
        killedTag = `virtcheck-vcwork:virtcheck-${killed.scope.pids[0]}-docker0`
        expect((await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toContain(killedTag)

        const dry = await cleanupCli(['--dry-run', '--home', killed.scope.home])
        expect(dry.stdout).toContain(
          `would remove image: docker image ${killedTag} (imported by run ${killed.scope.pids[0]}, which is gone)`,
        )
        expect(dry.stdout).not.toContain(planted.live)
        expect(dry.stdout).not.toContain(planted.otherNs)
        const r = await cleanupCli(['--home', killed.scope.home])
        expect(r.exitCode, r.stdout).toBe(0)
        expect(r.stdout).toContain(`removed image: docker image ${killedTag}`)
        const left = (await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n')
        expect(left).not.toContain(killedTag)
        // its container (`docker run --rm`) went with the killed client, or cleanup removed it
        expect((await execa('docker', ['ps', '-a', '-q', '--filter', `name=virtcheck-${killed.scope.pids[0]}-`])).stdout.trim()).toBe('')
        expect(left).toEqual(expect.arrayContaining(Object.values(planted)))
        for (const t of tags.split('\n').filter(Boolean)) expect(left).toContain(t) // nothing that was there before
      } finally {
        for (const t of [...Object.values(planted), killedTag].filter(Boolean)) await execa('docker', ['rmi', '-f', t], { reject: false })
        rmSync(base, { recursive: true, force: true })
      }
    },
    120_000,
  )
})
