/**
 * Boot overhead: virtcheck's guest boot (to the first finished job) vs a bare QEMU boot of the same
 * kernel to userspace, alternated in one run on the same host so load drifts hit both alike.
 *
 *   npx tsx benchmarks/boot-overhead.ts [--runs N] [--tier tcg-virtio|tcg-emulated] [--no-net]
 *
 * - bare (same flags): `qemu-system-x86_64 -machine q35 -bios qboot.rom -nodefaults ... -kernel K
 *   -initrd <busybox-only initramfs whose /init prints a marker and powers off>` with the same kernel
 *   arguments virtcheck uses, no devices: spawn -> marker on the console. This is the quality bar's
 *   reference (virtcheck <= 1.2x of it).
 * - bare (QEMU defaults): `qemu-system-x86_64 -kernel K -initrd I -append console=ttyS0 -nographic`
 *   (pc machine, SeaBIOS, default devices): for context only.
 * - virtcheck: TierDriver.open() (initramfs cache lookup, disk file, QEMU spawn, agent ready) plus
 *   one sys.syscall job of 20 ms: open() call -> job result. As root, the guest also gets its NIC on a
 *   tap in a peer namespace (as in a real bench run: NIC module + address setup are included).
 * Output: per-run figures, medians, and the ratio; also written to benchmarks/results/boot-overhead.txt.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir, cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { CleanupRegistry } from '../src/host/cleanup.js'
import { ensureGuestKernel } from '../src/guest/kernel-setup.js'
import { buildInitramfs } from '../src/guest/initramfs.js'
import { GUEST_UP_MARKER } from '../src/guest/init-script.js'
import { qemuDrivers } from '../src/tiers/qemu/index.js'
import { QBOOT } from '../src/tiers/qemu/host-facts.js'
import { createPeerNetwork } from '../src/net/peer.js'
import type { PeerNetwork } from '../src/core/tier.js'

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt
}
const RUNS = Number(arg('--runs', '7'))
const TIER = arg('--tier', 'tcg-virtio')
const TIMEOUT_MS = 60_000
const WITH_NET = !process.argv.includes('--no-net') && process.getuid?.() === 0

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Spawn QEMU, time until the init's marker appears on the console, then let it power off. */
const bareBoot = async (argv: string[]): Promise<number> => {
  const t0 = performance.now()
  const child = execa(argv[0]!, argv.slice(1), {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: TIMEOUT_MS,
    detached: true,
  })
  let seen = ''
  const at = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      seen = (seen + c.toString('latin1')).slice(-4096)
      if (seen.includes(GUEST_UP_MARKER)) resolve(performance.now() - t0)
    })
    void child.then((r) => reject(new Error(`bare boot ended without the marker (${r.exitCode ?? r.signal}): ${seen.slice(-300)}`)))
  })
  await child
  return at
}

const main = async (): Promise<void> => {
  const kernel = await ensureGuestKernel({ log: (l) => console.error(l) })
  if (kernel.kind === 'failed') throw new Error(kernel.reason)
  const bare = await buildInitramfs({ busyboxPath: '/bin/busybox', modules: [] })
  if (bare.kind === 'failed') throw new Error(bare.reason)
  const strictArgv = [
    'qemu-system-x86_64',
    '-name',
    `virtcheck-${process.pid}-bare`,
    '-machine',
    'q35',
    '-accel',
    'tcg',
    '-cpu',
    'qemu64',
    '-smp',
    '1',
    '-m',
    '1024',
    '-bios',
    QBOOT,
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    kernel.path,
    '-initrd',
    bare.path,
    '-append',
    'console=ttyS0 quiet panic=-1 cryptomgr.notests',
  ]
  const defaultsArgv = [
    'qemu-system-x86_64',
    '-name',
    `virtcheck-${process.pid}-bare-defaults`,
    '-m',
    '1024',
    '-nographic',
    '-no-reboot',
    '-kernel',
    kernel.path,
    '-initrd',
    bare.path,
    '-append',
    'console=ttyS0 panic=-1',
  ]
  const scratch = await mkdtemp(join(tmpdir(), 'vc-bootbench-'))
  const driver = qemuDrivers.find((d) => d.id === TIER)
  if (!driver) throw new Error(`unknown tier ${TIER}`)
  const netCleanup = new CleanupRegistry()
  const network: PeerNetwork | undefined = WITH_NET ? await createPeerNetwork(netCleanup, { maxSeconds: 600 }) : undefined
  const rows: { strict: number; defaults: number; vcReady: number; vcFirstJob: number }[] = []
  // One warm-up of each (page cache, initramfs build) that is not counted.
  await bareBoot(strictArgv)
  const once = async (): Promise<{ ready: number; firstJob: number }> => {
    const cleanup = new CleanupRegistry()
    try {
      const t0 = performance.now()
      const s = await driver.open({
        findings: [],
        workDir: scratch,
        scratchDir: scratch,
        cleanup,
        signal: new AbortController().signal,
        startTimeoutMs: TIMEOUT_MS,
        log: () => undefined,
        ...(network ? { network } : {}),
      })
      const r = await s.run({ job: 'sys.syscall', reps: 1, params: { targetMs: 20 } })
      const firstJob = performance.now() - t0
      if (r.kind !== 'ok') throw new Error(`first job failed: ${r.reason}`)
      const ready = s.bootMs ?? NaN
      await s.close()
      return { ready, firstJob }
    } finally {
      await cleanup.runAll()
    }
  }
  await once()
  for (let i = 0; i < RUNS; i++) {
    const strict = await bareBoot(strictArgv)
    const vc = await once()
    const defaults = await bareBoot(defaultsArgv)
    rows.push({ strict, defaults, vcReady: vc.ready, vcFirstJob: vc.firstJob })
    console.error(`run ${i + 1}/${RUNS}: bare ${strict.toFixed(0)} ms, virtcheck first job ${vc.firstJob.toFixed(0)} ms`)
  }
  await netCleanup.runAll()
  await rm(scratch, { recursive: true, force: true })
  const med = {
    strict: median(rows.map((r) => r.strict)),
    defaults: median(rows.map((r) => r.defaults)),
    vcReady: median(rows.map((r) => r.vcReady)),
    vcFirstJob: median(rows.map((r) => r.vcFirstJob)),
  }
  const qv = (await execa('qemu-system-x86_64', ['--version'])).stdout.split('\n')[0]
  const lines = [
    `boot-overhead (${new Date().toISOString()}), tier ${TIER}${network ? ' with disk + NIC on a tap' : ' with disk, no NIC'}, ${RUNS} alternating runs`,
    `host: ${cpus().length} CPU ${cpus()[0]?.model ?? '?'}, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; ${qv}`,
    `kernel: ${kernel.path} (${kernel.release}, ${kernel.flavour}, ${kernel.source}); bare initramfs ${bare.bytes} bytes (busybox only)`,
    '',
    'run  bare-same-flags  bare-qemu-defaults  virtcheck-agent-ready  virtcheck-first-job   (ms)',
    ...rows.map(
      (r, i) =>
        `${String(i + 1).padStart(3)}  ${r.strict.toFixed(0).padStart(15)}  ${r.defaults.toFixed(0).padStart(18)}  ${r.vcReady.toFixed(0).padStart(21)}  ${r.vcFirstJob.toFixed(0).padStart(19)}`,
    ),
    '',
    `median bare boot to userspace, same flags:     ${med.strict.toFixed(0)} ms`,
    `median bare boot to userspace, QEMU defaults:  ${med.defaults.toFixed(0)} ms`,
    `median virtcheck spawn -> agent ready:         ${med.vcReady.toFixed(0)} ms`,
    `median virtcheck open() -> first job done:     ${med.vcFirstJob.toFixed(0)} ms`,
    `ratio virtcheck first job / bare (same flags): ${(med.vcFirstJob / med.strict).toFixed(2)}x   (quality bar <= 1.20x)`,
    `  median of per-run ratios (adjacent pairs):   ${median(rows.map((r) => r.vcFirstJob / r.strict)).toFixed(2)}x`,
    `  ratio of the fastest runs (least disturbed): ${(Math.min(...rows.map((r) => r.vcFirstJob)) / Math.min(...rows.map((r) => r.strict))).toFixed(2)}x  (${Math.min(...rows.map((r) => r.vcFirstJob)).toFixed(0)} / ${Math.min(...rows.map((r) => r.strict)).toFixed(0)} ms)`,
    `ratio virtcheck first job / bare (defaults):   ${(med.vcFirstJob / med.defaults).toFixed(2)}x`,
  ]
  console.log(lines.join('\n'))
  await mkdir(join(process.cwd(), 'benchmarks/results'), { recursive: true })
  await writeFile(
    join(process.cwd(), 'benchmarks/results', `boot-overhead${TIER === 'tcg-virtio' ? '' : '-' + TIER}.txt`),
    lines.join('\n') + '\n',
  )
}

await main()
