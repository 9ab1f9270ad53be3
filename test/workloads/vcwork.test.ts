/**
 * Runs the real vcwork binary: every job with tiny sizes, its own verification (made to fail on purpose),
 * the agent protocol, the network peer on 127.0.0.1, IO against a scratch file on a real file system.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nativeBinary, PACKAGE_ROOT } from '../../src/host/paths.js'
import { parseVcworkLine, type JobId, type SampleLine, type VcworkLine } from '../../src/core/workload.js'
import { JOBS, jobById, sampleMismatch } from '../../workloads/index.js'

const VCWORK = nativeBinary('vcwork')

interface Run {
  readonly status: number | null
  readonly lines: VcworkLine[]
  readonly raw: string
  readonly stderr: string
}

/** Runs vcwork; every stdout line must pass parseVcworkLine (a line that does not is a test failure). */
const vcwork = (args: readonly string[], env: NodeJS.ProcessEnv = process.env): Run => {
  const r = spawnSync(VCWORK, args, { encoding: 'utf8', timeout: 20_000, env })
  const rawLines = r.stdout.split('\n').filter((l) => l !== '')
  const lines = rawLines.map((l) => {
    const p = parseVcworkLine(l)
    if (p === null) throw new Error(`vcwork printed a line outside the schema: ${l}`)
    return p
  })
  return { status: r.status, lines, raw: r.stdout, stderr: r.stderr }
}

const samples = (r: Run): SampleLine[] => r.lines.filter((l): l is SampleLine => l.type === 'sample')

/** Sanity bounds for a native run on any plausible machine; [min, max] per job.metric. */
const BOUNDS: Record<string, readonly [number, number]> = {
  'cpu.int.ops': [100, 1e7],
  'cpu.fp.gflops': [0.01, 1000],
  'mem.stream.copy': [0.1, 1000],
  'mem.stream.scale': [0.1, 1000],
  'mem.stream.add': [0.1, 1000],
  'mem.stream.triad': [0.1, 1000],
  'mmu.gups.gups': [1e-5, 100],
  'mmu.pagefault.faults': [1e3, 1e9],
  'proc.fork.fork': [1, 100_000],
  'sys.syscall.syscall': [10, 100_000],
  'sys.ctxsw.switch': [0.05, 10_000],
  'io.seq.write': [1, 100_000],
  'io.seq.read': [1, 100_000],
  'io.rand.readIops': [10, 1e7],
  'io.rand.readP50': [0.5, 1e6],
  'io.rand.readP99': [0.5, 1e6],
  'io.rand.writeIops': [10, 1e7],
  'io.rand.writeP50': [0.5, 1e6],
  'io.rand.writeP99': [0.5, 1e6],
  'io.fsync.fsync': [0.5, 1e6],
  'net.stream.throughput': [0.01, 1000],
  'net.rr.tps': [100, 1e7],
  'net.rr.p50': [0.5, 100_000],
  'net.rr.p99': [0.5, 100_000],
}

let scratch = ''
let peer = ''
let server: ChildProcessWithoutNullStreams | undefined

/** A directory for IO jobs: os.tmpdir() when it takes O_DIRECT, else the repo's .virtcheck/tmp (IO scratch convention). */
const pickScratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vcwork-test-'))
  const probe = vcwork(['run', 'io.seq', '--target', d, '--size-mb', '1', '--target-ms', '1'])
  if (probe.status === 0) return d
  rmSync(d, { recursive: true, force: true })
  const base = join(PACKAGE_ROOT, '.virtcheck', 'tmp')
  mkdirSync(base, { recursive: true })
  return mkdtempSync(join(base, 'vcwork-test-'))
}

/** Reads JSON lines from a child's stdout; next() resolves with the next line or rejects after a timeout. */
const lineReader = (child: ChildProcessWithoutNullStreams) => {
  let buf = ''
  const queue: string[] = []
  const waiters: ((l: string) => void)[] = []
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buf += chunk
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const w = waiters.shift()
      if (w) w(l)
      else queue.push(l)
    }
  })
  return {
    next: (ms = 10_000): Promise<VcworkLine> =>
      new Promise((resolve, reject) => {
        const take = (l: string) => {
          clearTimeout(t)
          const p = parseVcworkLine(l)
          if (p === null) reject(new Error(`line outside the schema: ${l}`))
          else resolve(p)
        }
        const t = setTimeout(() => {
          const i = waiters.indexOf(take)
          if (i >= 0) waiters.splice(i, 1)
          reject(new Error('timed out waiting for a line'))
        }, ms)
        const q = queue.shift()
        if (q !== undefined) take(q)
        else waiters.push(take)
      }),
  }
}

const exited = (child: ChildProcessWithoutNullStreams, ms = 10_000): Promise<number | null> =>
  new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    const t = setTimeout(() => reject(new Error('process did not exit')), ms)
    child.on('exit', (code) => {
      clearTimeout(t)
      resolve(code)
    })
  })

/** Tiny per-job arguments: a test run must stay far below a second per job. */
const tinyArgs = (job: JobId): string[] => {
  const base = ['--target-ms', '30']
  switch (job) {
    case 'mem.stream':
      return [...base, '--quick', '--size-mb', '8']
    case 'mmu.gups':
      return [...base, '--size-mb', '8']
    case 'mmu.pagefault':
      return [...base, '--size-mb', '4']
    case 'cpu.fp':
      return [...base, '--n', '128']
    case 'io.seq':
    case 'io.rand':
      return [...base, '--target', scratch, '--size-mb', '4']
    case 'io.fsync':
      return [...base, '--target', scratch]
    case 'net.stream':
    case 'net.rr':
      return [...base, '--peer', peer]
    default:
      return base
  }
}

beforeAll(async () => {
  const b = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'workloads', 'build.mjs'), '--quiet'], { encoding: 'utf8' })
  expect(b.status, b.stderr).toBe(0)
  expect(existsSync(VCWORK)).toBe(true)
  scratch = pickScratch()
  server = spawn(VCWORK, ['serve', '--listen', '127.0.0.1:0', '--max-seconds', '120'])
  const first = await lineReader(server).next()
  if (first.type !== 'listening') throw new Error(`serve printed ${JSON.stringify(first)}`)
  expect(first.addr).toBe('127.0.0.1')
  peer = `127.0.0.1:${first.port}`
})

afterAll(async () => {
  if (server && server.exitCode === null) {
    const stop = vcwork(['stop', '--peer', peer])
    const code = await exited(server).catch(() => {
      server?.kill('SIGKILL')
      return null
    })
    expect(stop.status).toBe(0)
    expect(code).toBe(0)
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe('vcwork binary', () => {
  it('is statically linked', () => {
    const f = spawnSync('file', ['-L', VCWORK], { encoding: 'utf8' })
    expect(f.stdout).toMatch(/statically linked|static-pie linked/)
    const l = spawnSync('ldd', [VCWORK], { encoding: 'utf8' })
    expect(l.status).not.toBe(0)
    expect(`${l.stdout}${l.stderr}`).toMatch(/not a dynamic executable/)
  })

  it('prints its version and environment as single JSON lines', () => {
    const v = vcwork(['version'])
    expect(v.status).toBe(0)
    expect(v.lines).toEqual([{ type: 'version', version: expect.any(String), arch: 'x86_64' }])
    const e = vcwork(['env'])
    expect(e.status).toBe(0)
    expect(e.lines).toHaveLength(1)
    const env = e.lines[0]
    if (env?.type !== 'env') throw new Error('no env line')
    expect(env.cpus).toBeGreaterThanOrEqual(1)
    if (existsSync('/proc/stat')) expect(env.stealTicks).toBeGreaterThanOrEqual(0)
    if (existsSync('/sys/devices/system/clocksource/clocksource0/current_clocksource')) expect(env.clocksource).toMatch(/\w/)
  })

  it('rejects bad usage with exit code 2 and an error line', () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['run'],
      ['run', 'cpu.nope'],
      ['run', 'cpu.int', '--reps', '0'],
      ['run', 'cpu.int', '--target-ms', 'soon'],
      ['run', 'cpu.int', '--bogus'],
      ['run', 'io.seq'],
      ['run', 'net.rr'],
      ['serve'],
      ['serve', '--listen', 'example.com:80'],
    ]) {
      const r = vcwork(args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(
        r.lines.map((l) => l.type),
        args.join(' '),
      ).toEqual(['error'])
    }
  })
})

describe.each(JOBS.map((j) => [j.id, j] as const))('job %s', (id, spec) => {
  it('runs, matches the catalog, stays within sanity bounds and meets its target', () => {
    const reps = id === 'cpu.int' || id === 'net.rr' ? 2 : 1
    const r = vcwork(['run', id, '--reps', String(reps), ...tinyArgs(id)])
    expect(r.status, `${r.raw}\n${r.stderr}`).toBe(0)
    const s = samples(r)
    expect(s).toHaveLength(reps * spec.metrics.length)
    expect(s.map((x) => `${x.rep}:${x.metric}`)).toEqual(
      Array.from({ length: reps }, (_, i) => spec.metrics.map((m) => `${i + 1}:${m.id}`)).flat(),
    )
    for (const x of s) {
      expect(x.job).toBe(id)
      expect(sampleMismatch(x)).toBeNull()
      const [lo, hi] = BOUNDS[`${id}.${x.metric}`] ?? [NaN, NaN]
      expect(x.value, `${id}.${x.metric}`).toBeGreaterThanOrEqual(lo)
      expect(x.value, `${id}.${x.metric}`).toBeLessThanOrEqual(hi)
      expect(x.targetMs).toBe(30)
      expect(x.durationMs).toBeGreaterThan(0)
      expect(x.durationMs).toBeLessThan(5_000)
      expect(x.iterations).toBeGreaterThan(0)
      expect(x.short).toBe(x.durationMs < x.targetMs)
      expect(x.params['mode']).toBe(id === 'mem.stream' ? 'quick' : 'full')
      if (existsSync('/proc/stat')) expect(x.stealTicksDelta).toBeGreaterThanOrEqual(0)
    }
    const first = s[0]
    // the job's own evidence that it measured what it claims
    if (id === 'mmu.pagefault') expect(Number(first?.params['minorFaults'])).toBeGreaterThanOrEqual(0.9 * (first?.iterations ?? Infinity))
    if (id === 'mmu.gups') expect(first?.params['errors']).toBe(0)
    if (id === 'cpu.int') expect(Number(first?.params['compressionRatio'])).toBeGreaterThan(1.2)
    if (spec.needs.includes('disk')) expect(first?.params).toMatchObject({ targetKind: 'file', direct: id !== 'io.fsync' })
    for (const pair of [
      ['readP50', 'readP99'],
      ['writeP50', 'writeP99'],
      ['p50', 'p99'],
    ] as const) {
      const p50 = s.find((x) => x.metric === pair[0])
      const p99 = s.find((x) => x.metric === pair[1])
      if (p50 && p99) expect(p99.value).toBeGreaterThanOrEqual(p50.value)
    }
    const last = r.lines.at(-1)
    expect(last).toMatchObject({ type: 'summary', job: id, reps })
    expect(r.lines).toHaveLength(s.length + 1)
  })

  it('reports a failed self-verification as an error line and exit code 1', () => {
    const r = vcwork(['run', id, '--corrupt-for-test', ...tinyArgs(id)])
    expect(r.status, r.raw).toBe(1)
    const last = r.lines.at(-1)
    expect(last).toMatchObject({ type: 'error', job: id })
    if (last?.type === 'error') expect(last.message).toMatch(/verification failed/)
    expect(r.lines.some((l) => l.type === 'summary')).toBe(false)
  })
})

describe('pinCpu', () => {
  it('runs the job on the named CPU and says so; a CPU it may not use is an error line, exit 1', () => {
    const cpus = (readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1] ?? '0').trim()
    const last = Number(cpus.split(/[,-]/).at(-1))
    const r = vcwork(['run', 'sys.syscall', '--reps', '1', '--target-ms', '20', '--pin-cpu', String(last)])
    expect(r.status).toBe(0)
    expect(samples(r)[0]!.params).toMatchObject({ pinnedCpu: last })
    const bad = vcwork(['run', 'sys.syscall', '--reps', '1', '--target-ms', '20', '--pin-cpu', '1023'])
    expect(bad.status).toBe(1)
    expect(bad.raw).toMatch(/"type":"error".*cannot pin to CPU 1023/)
  })
})

describe('mem.stream sizing', () => {
  it('says when quick-mode arrays are under 4x the last-level cache', () => {
    const r = vcwork(['run', 'mem.stream', '--quick', '--target-ms', '10'])
    expect(r.status).toBe(0)
    const p = samples(r)[0]?.params
    expect(p?.['sizeRule']).toBe('quick')
    expect(p?.['arrayMb']).toBe(32)
    if (typeof p?.['llcKb'] === 'number') expect(p['belowLlcRule']).toBe(32 * 1024 < 4 * p['llcKb'])
    else expect(p?.['belowLlcRule']).toBe(true)
  })
})

describe('IO targets', () => {
  it('removes the file it created in a target directory', () => {
    const before = readdirSync(scratch)
    const r = vcwork(['run', 'io.rand', '--target', scratch, '--size-mb', '2', '--target-ms', '10'])
    expect(r.status).toBe(0)
    expect(samples(r)[0]?.params['direct']).toBe(true)
    expect(readdirSync(scratch)).toEqual(before)
  })

  it('creates and removes a named file, and truncates an existing file it extended back to its size', () => {
    const named = join(scratch, 'named.dat')
    expect(vcwork(['run', 'io.seq', '--target', named, '--size-mb', '2', '--target-ms', '10']).status).toBe(0)
    expect(existsSync(named)).toBe(false)
    const existing = join(scratch, 'existing.dat')
    writeFileSync(existing, Buffer.alloc(4096, 1))
    const r = vcwork(['run', 'io.rand', '--target', existing, '--size-mb', '2', '--target-ms', '10'])
    expect(r.status).toBe(0)
    expect(samples(r)[0]?.params['regionMb']).toBe(2)
    expect(statSync(existing).size).toBe(4096)
    rmSync(existing)
  })

  it('reports a file system that refuses O_DIRECT as an error, never falling back to buffered IO', () => {
    const r = vcwork(['run', 'io.seq', '--target', scratch, '--size-mb', '1', '--target-ms', '10'], {
      ...process.env,
      VCWORK_TEST_ODIRECT_EINVAL: '1',
    })
    expect(r.status).toBe(1)
    expect(r.lines).toEqual([{ type: 'error', job: 'io.seq', message: expect.stringMatching(/O_DIRECT refused.*EINVAL/) }])
    expect(readdirSync(scratch)).toEqual([])
  })

  // Only ever a loop device this test creates on a temp file: a regression can never touch a real disk.
  const loopMissing = [
    ...(process.getuid?.() === 0 ? [] : ['root']),
    ...['losetup', 'mkfs.ext4', 'mount', 'umount'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0),
  ]
  it.skipIf(loopMissing.length > 0 && process.env['CI'] !== 'true')(
    'uses the first sizeMb of a free block device and refuses a mounted one',
    () => {
      expect(loopMissing, 'CI=true needs these for the block device test').toEqual([])
      const img = join(scratch, 'loop.img')
      const mnt = join(scratch, 'mnt')
      writeFileSync(img, Buffer.alloc(0))
      spawnSync('truncate', ['-s', '16M', img])
      const lo = spawnSync('losetup', ['-f', '--show', img], { encoding: 'utf8' })
      expect(lo.status, lo.stderr).toBe(0)
      const dev = lo.stdout.trim()
      expect(dev).toMatch(/^\/dev\/loop\d+$/)
      let mounted = false
      try {
        const free = vcwork(['run', 'io.rand', '--target', dev, '--size-mb', '4', '--target-ms', '10'])
        expect(free.status, free.raw).toBe(0)
        expect(samples(free)[0]?.params).toMatchObject({ targetKind: 'blockdev', regionMb: 4, direct: true })
        expect(spawnSync('mkfs.ext4', ['-q', dev]).status).toBe(0)
        mkdirSync(mnt)
        expect(spawnSync('mount', [dev, mnt]).status).toBe(0)
        mounted = true
        const busy = vcwork(['run', 'io.fsync', '--target', dev, '--target-ms', '10'])
        expect(busy.status).toBe(1)
        expect(busy.lines).toEqual([{ type: 'error', job: 'io.fsync', message: expect.stringMatching(/refusing block device/) }])
      } finally {
        if (mounted) spawnSync('umount', [mnt])
        spawnSync('losetup', ['-d', dev])
        rmSync(img, { force: true })
        rmSync(mnt, { recursive: true, force: true })
      }
    },
  )
})

describe('network peer', () => {
  it('reports a missing peer as an error line, not a hang', () => {
    const r = vcwork(['run', 'net.rr', '--peer', '127.0.0.1:1', '--target-ms', '10'])
    expect(r.status).toBe(1)
    expect(r.lines).toEqual([{ type: 'error', job: 'net.rr', message: expect.stringMatching(/cannot connect to peer/) }])
  })
})

describe('vcwork agent', () => {
  it('speaks the line protocol: ready, two jobs, env, malformed requests, quit', async () => {
    const agent = spawn(VCWORK, ['agent'])
    const rd = lineReader(agent)
    const send = (s: string) => agent.stdin.write(`${s}\n`)
    try {
      expect(await rd.next()).toEqual({ type: 'ready', version: expect.any(String), arch: 'x86_64', addressLayout: 'fixed' })

      const runJob = async (id: number, job: JobId, params: Record<string, unknown>, reps = 1) => {
        send(JSON.stringify({ id, job, reps, params }))
        const got: VcworkLine[] = []
        for (;;) {
          const l = await rd.next()
          got.push(l)
          if (l.type === 'done' || l.type === 'error') return got
        }
      }
      const a = await runJob(7, 'cpu.int', { targetMs: 20, mode: 'quick' }, 2)
      expect(a.map((l) => l.type)).toEqual(['sample', 'sample', 'summary', 'done'])
      expect(a.every((l) => 'id' in l && l.id === 7)).toBe(true)
      expect(a[1]).toMatchObject({ job: 'cpu.int', metric: 'ops', rep: 2, params: { mode: 'quick' } })

      const b = await runJob(8, 'net.rr', { targetMs: 20, peer })
      expect(b.map((l) => l.type)).toEqual(['sample', 'sample', 'sample', 'summary', 'done'])
      expect(b.filter((l) => l.type === 'sample').map((l) => (l.type === 'sample' ? l.metric : ''))).toEqual(
        jobById('net.rr')?.metrics.map((m) => m.id),
      )

      send('this is not json')
      expect(await rd.next()).toEqual({ type: 'error', message: expect.stringMatching(/^malformed request/) })
      send('{"id":9,"job":"cpu.int","params":{"targetMs":"fast"}}')
      expect(await rd.next()).toEqual({ type: 'error', id: 9, job: 'cpu.int', message: expect.stringMatching(/targetMs/) })
      send('{"id":10,"job":"cpu.int","params":{"nested":{"x":1}}}')
      expect(await rd.next()).toMatchObject({ type: 'error', message: expect.stringMatching(/nesting/) })
      send('{"id":11,"job":"io.seq","params":{"targetMs":10}}')
      expect(await rd.next()).toEqual({ type: 'error', id: 11, job: 'io.seq', message: expect.stringMatching(/target path/) })
      send('{"id":12,"job":"cpu.int","params":{"corruptForTest":true,"targetMs":10}}')
      expect(await rd.next()).toMatchObject({
        type: 'error',
        id: 12,
        job: 'cpu.int',
        message: expect.stringMatching(/verification failed/),
      })
      send('{"id":16,"op":"env"}\u0000{"id":17,"op":"quit"}')
      expect(await rd.next()).toEqual({ type: 'error', message: expect.stringMatching(/NUL/) })
      send('{"id":13,"op":"reboot"}')
      expect(await rd.next()).toMatchObject({ type: 'error', id: 13 })
      send('')
      send('{"id":14,"op":"env"}\r')
      expect(await rd.next()).toMatchObject({ type: 'env', id: 14, arch: 'x86_64' })
      send('{"id":15,"op":"quit"}')
      expect(await exited(agent)).toBe(0)
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL')
    }
  })

  it('runs every agent with the same address layout, unless told to keep the random one', async () => {
    // the stack, the heap, the mmap base and the binary itself (a per-process layout moved mem.stream by up to 9%)
    const layout = async (env: NodeJS.ProcessEnv) => {
      const agent = spawn(VCWORK, ['agent'], { env })
      try {
        const ready = await lineReader(agent).next()
        const maps = readFileSync(`/proc/${agent.pid}/maps`, 'utf8')
        const starts = maps
          .split('\n')
          .filter((l) => /\[(stack|heap|vdso)\]$|vcwork$/.test(l))
          .map((l) => l.split(' ')[0])
        return { ready, starts }
      } finally {
        agent.kill('SIGKILL')
      }
    }
    const a = await layout(process.env)
    const b = await layout(process.env)
    expect(a.ready).toMatchObject({ type: 'ready', addressLayout: 'fixed' })
    expect(a.starts.length).toBeGreaterThanOrEqual(3)
    expect(b.starts).toEqual(a.starts)
    const keep = { ...process.env, VCWORK_ADDRESS_LAYOUT: 'keep' }
    const c = await layout(keep)
    const d = await layout(keep)
    expect(c.ready).toMatchObject({ addressLayout: 'randomized (VCWORK_ADDRESS_LAYOUT=keep)' })
    expect(d.starts).not.toEqual(c.starts)
  })

  it('exits cleanly when its input ends', async () => {
    const agent = spawn(VCWORK, ['agent'])
    const rd = lineReader(agent)
    expect((await rd.next()).type).toBe('ready')
    agent.stdin.end()
    expect(await exited(agent)).toBe(0)
  })
})
