/**
 * Start one lab host and bring its outputs back. The host is a QEMU TCG guest booting Debian's
 * generic kernel (the one virtcheck's own `setup` caches; fetched the same way when absent) with a
 * busybox initramfs built here from the kernel's modules. It sees this machine's root read-only over
 * 9p (so Node, QEMU and this checkout are there) and writes its results into a second, writable 9p
 * share: a temp folder that is removed afterwards. QEMU runs in its own process group under
 * `setpriv --pdeathsig KILL` and is killed at the host's hard timeout or on abort; the temp folder is
 * removed on success, failure and abort.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { encodeCpio, type CpioEntry } from '../../src/guest/cpio.js'
import { findGuestKernel, type GuestKernel } from '../../src/guest/kernel-find.js'
import { ensureGuestKernel } from '../../src/guest/kernel-setup.js'
import { moduleClosure, parseModulesDep, stripModuleSignature } from '../../src/guest/modules.js'
import { killProcessGroup } from '../../src/host/process-group.js'
import type { HostOutcome, LabHost, RunOutput } from './host.js'
import { LAB_DONE, LAB_STEP, OUT_TAG, renderInit, renderRunScript, ROOT_TAG } from './l1-scripts.js'

/** Modules every lab host needs for itself: the 9p root, the results share and the overlay. */
const LAB_MODULES = ['9p', '9pnet_virtio', 'virtio_pci', 'overlay']

/** ext4's soft dependency crc32c is not in modules.dep, so it is named. */
const SCRATCH_MODULES = ['virtio_blk', 'crc32c_generic', 'ext4']

/** How much slower the lab host runs than the hardware it models (TCG): its virtcheck scales timeouts by it. */
export const LAB_SLOWNESS = 10

export const QBOOT = '/usr/share/qemu/qboot.rom'

/** The generic Debian kernel with modules (the cloud flavour lacks kvm-amd's friends and nvme's SR-IOV paths). */
export const labKernel = async (log: (l: string) => void = () => undefined): Promise<GuestKernel> => {
  const found = await findGuestKernel({ arch: 'x86_64', flavour: 'generic', useHost: false })
  if (found.kind === 'found' && found.flavour === 'generic' && found.modulesDir) return found
  log('lab: fetching the generic Debian kernel (virtcheck setup mechanism)')
  const got = await ensureGuestKernel({ flavour: 'generic', log })
  if (got.kind === 'failed') throw new Error(`lab: no generic guest kernel: ${got.reason}`)
  if (!got.modulesDir) throw new Error(`lab: kernel ${got.release} has no modules folder`)
  return got
}

const dirsOf = (path: string): string[] => {
  const parts = path.split('/')
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'))
}

/** A busybox initramfs: `/init`, busybox, and a module closure (unsigned) listed in load order in /etc/lab/modules. */
export const busyboxInitramfs = async (o: {
  readonly busybox: string
  readonly modulesDir: string
  readonly modules: readonly string[]
  readonly init: string
  readonly what: string
}): Promise<Uint8Array[]> => {
  const dep = parseModulesDep(await readFile(join(o.modulesDir, 'modules.dep'), 'utf8'))
  const closure = moduleClosure(dep, o.modules)
  if (closure.kind === 'missing') throw new Error(`${o.what}: the kernel lacks module(s) ${closure.names.join(', ')}`)
  const files: CpioEntry[] = []
  for (const m of closure.order)
    files.push({ kind: 'file', path: `lib/modules/${m}`, data: stripModuleSignature(await readFile(join(o.modulesDir, m))), mode: 0o644 })
  const dirs = new Set(['bin', 'dev', 'etc', 'etc/lab', 'lib', 'lib/modules', 'proc', 'sys', 'tmp'])
  for (const m of closure.order) for (const d of dirsOf(`lib/modules/${m}`)) dirs.add(d)
  const enc = new TextEncoder()
  return encodeCpio([
    ...[...dirs].sort().map((d): CpioEntry => ({ kind: 'dir', path: d })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { kind: 'file', path: 'bin/busybox', data: await readFile(o.busybox), mode: 0o755 },
    ...files,
    { kind: 'file', path: 'etc/lab/modules', data: enc.encode(closure.order.map((m) => m + '\n').join('')) },
    { kind: 'file', path: 'init', data: enc.encode(o.init), mode: 0o755 },
  ])
}

/** The lab host's initramfs: the lab's modules, the host's, and the lab init. */
/** `keep`: paths of this machine that must stay visible in the lab host (the checkout; see renderInit). */
export const buildLabInitramfs = async (
  host: LabHost,
  kernel: GuestKernel,
  busybox: string,
  keep: readonly string[] = [],
): Promise<Uint8Array[]> => {
  const modulesDir = kernel.modulesDir!
  const config = join(modulesDir, '../../../boot', `config-${kernel.release}`)
  const hasConfig = await readFile(config).then(
    () => true,
    () => false,
  )
  const init = renderInit(host, { release: kernel.release, modulesDir, ...(hasConfig ? { configPath: config } : {}) }, keep)
  const modules = [...LAB_MODULES, ...(host.scratchDiskMib ? SCRATCH_MODULES : []), ...host.modules]
  return busyboxInitramfs({ busybox, modulesDir, modules, init, what: `lab ${host.name}` })
}

export const labQemuArgv = (host: LabHost, kernelPath: string, initrd: string, outDir: string, scratchDisk?: string): string[] => [
  'setpriv',
  '--pdeathsig',
  'KILL',
  '--',
  'qemu-system-x86_64',
  '-name',
  `lab-${host.name}`,
  '-machine',
  host.machine ?? 'q35',
  '-accel',
  'tcg',
  '-cpu',
  host.cpu,
  '-smp',
  String(host.smp ?? 2),
  '-m',
  String(host.memoryMib ?? 3072),
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
  kernelPath,
  '-initrd',
  initrd,
  '-append',
  ['console=ttyS0', 'quiet', 'panic=-1', 'cryptomgr.notests', ...(host.append ?? [])].join(' '),
  '-virtfs',
  `local,path=/,mount_tag=${ROOT_TAG},security_model=none,readonly=on,multidevs=remap`,
  '-virtfs',
  `local,path=${outDir},mount_tag=${OUT_TAG},security_model=none,multidevs=remap`,
  ...(scratchDisk
    ? ['-drive', `file=${scratchDisk},if=none,id=labscratch,format=raw,cache=unsafe`, '-device', 'virtio-blk-pci,drive=labscratch']
    : []),
  ...(host.devices ?? []),
]

export interface RunHostOptions {
  readonly checkout: string
  readonly signal?: AbortSignal
  readonly log?: (line: string) => void
}

const readRun = async (outDir: string, name: string): Promise<RunOutput> => {
  const read = (ext: string) => readFile(join(outDir, `${name}.${ext}`), 'utf8').catch(() => undefined)
  const [rc, stdout, stderr, file] = await Promise.all([read('rc'), read('out'), read('err'), read('json')])
  const [code, ms] = (rc ?? '').trim().split(/\s+/).map(Number)
  const parse = (t: string | undefined): unknown => {
    if (t === undefined || t.trim() === '') return undefined
    try {
      return JSON.parse(t)
    } catch {
      return undefined
    }
  }
  return {
    name,
    exitCode: rc === undefined || !Number.isFinite(code) ? undefined : code,
    durationMs: ms !== undefined && Number.isFinite(ms) ? ms : undefined,
    stdout: stdout ?? '',
    stderr: stderr ?? '',
    json: parse(file) ?? parse(stdout),
  }
}

export const runLabHost = async (host: LabHost, o: RunHostOptions): Promise<HostOutcome> => {
  const log = o.log ?? (() => undefined)
  const t0 = performance.now()
  const kernel = await labKernel(log)
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p))
  if (!bb) throw new Error('lab: no static busybox (install busybox-static)')
  const tmp = await mkdtemp(join(tmpdir(), `virtcheck-lab-${host.name}-`))
  try {
    const outDir = join(tmp, 'out')
    await mkdir(outDir, { mode: 0o777 })
    const initrd = join(tmp, 'initrd.cpio')
    await writeFile(initrd, await buildLabInitramfs(host, kernel, bb, [o.checkout]))
    for (const [name, data] of Object.entries((await host.shareFiles?.({ kernel, busybox: bb })) ?? {}))
      await writeFile(join(outDir, name), data)
    await writeFile(
      join(outDir, 'run.sh'),
      renderRunScript(host, {
        checkout: o.checkout,
        node: process.execPath,
        slowness: LAB_SLOWNESS,
        kernelPath: kernel.path,
        runLimitS: Math.max(30, host.timeoutS - 45),
      }),
    )
    let scratch: string | undefined
    if (host.scratchDiskMib) {
      // Sparse, formatted here at native speed; the lab host only mounts it.
      scratch = join(tmp, 'scratch.ext4')
      await execa('truncate', ['-s', `${host.scratchDiskMib}M`, scratch])
      await execa('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=1,lazy_journal_init=1', scratch])
    }
    const argv = labQemuArgv(host, kernel.path, initrd, outDir, scratch)
    const [file, ...args] = argv
    const child = execa(file!, args, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, detached: true })
    let consoleText = ''
    let partial = ''
    const onData = (c: Buffer) => {
      const text = c.toString('utf8')
      consoleText = (consoleText + text).slice(-200_000)
      const lines = (partial + text).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines)
        if (line.includes(LAB_STEP) || line.includes(LAB_DONE))
          log(`lab ${host.name}: ${line.trim()} (+${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    let stopped: string | undefined
    const stop = (why: string) => {
      if (stopped !== undefined) return
      stopped = why
      if (child.pid !== undefined) void killProcessGroup(child.pid, 'SIGKILL')
    }
    const timer = setTimeout(() => stop(`stopped: no power-off within ${host.timeoutS} s`), host.timeoutS * 1000)
    const onAbort = () => stop('stopped: aborted')
    o.signal?.addEventListener('abort', onAbort, { once: true })
    const r = await child
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
    const ended =
      stopped ??
      (consoleText.includes(LAB_DONE)
        ? 'powered off'
        : `QEMU ${r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode}`} before the runs finished`)
    const runs = await Promise.all(host.runs.map((run) => readRun(outDir, run.name)))
    return { host: host.name, wallMs: performance.now() - t0, ended, runs, console: consoleText }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
