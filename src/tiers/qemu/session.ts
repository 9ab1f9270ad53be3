/**
 * Open one x86 QEMU tier: find the kernel, build (or reuse) the initramfs, create the raw benchmark
 * disk in the shared scratch folder, attach a tap in the peer namespace, boot, and hand back a
 * TierSession that runs every job of the tier in that one guest. Every failure before the agent is
 * ready is an Error with `logTail` (the runner records it as a failed tier).
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TierOpenContext, TierSession } from '../../core/tier.js'
import { bootOrUndoAll, guestEnvFacts, guestSession, guestUndos, TCG_SLOWDOWN } from './guest-session.js'
import { nativeBinary } from '../../host/paths.js'
import { scaledTimeoutMs } from '../../host/slowness.js'
import { findGuestKernel } from '../../guest/kernel-find.js'
import { preferUncompressed } from '../../guest/kernel-bootable.js'
import { buildInitramfs } from '../../guest/initramfs.js'
import { buildGuestCommand, renderArgv } from './command.js'
import { GuestBootError, startGuest, type GuestEnd } from './guest-process.js'
import { explainKvmFailure } from './kvm-failure.js'
import { busybox, firmwareIfPresent, kvmBackendFrom, orphanGuard, qemuVersion, supportsDirectIo } from './host-facts.js'
import { driverFacts } from '../live-facts.js'
import { SOCKET_DIR_PREFIX } from './strays.js'
import { parseQemuOptions } from './options.js'
import { AGENT_CHANNELS, forMachine, guestModules, type QemuTierProfile } from './profiles.js'
import { toolToSpawn } from '../../host/tool-path.js'
import { scratchDiskFull } from '../../agent/scratch.js'

/** TCG runs a repetition's fixed work many times slower; give job timeouts room for it. */

const failOpen = (message: string, logTail = ''): never => {
  throw new GuestBootError(message, logTail)
}

export const openQemuTier = async (profile: QemuTierProfile, ctx: TierOpenContext): Promise<TierSession> => {
  const { tier, accel } = profile
  const parsed = parseQemuOptions(tier, accel, ctx.options)
  // the absolute path the probe's rule finds is what runs, and what the tier config records
  const opts = { ...parsed, qemuBinary: toolToSpawn(parsed.qemuBinary) }
  const devices = forMachine(profile.devices, opts.machine)

  const qemu = await qemuVersion(opts.qemuBinary)
  if (!qemu.ok) failOpen(`${tier}: ${qemu.why}`)
  const version = qemu.ok ? qemu.version : ''
  const hostFacts = driverFacts(ctx.findings)
  let kvm = ''
  if (accel === 'kvm') {
    const dev = await hostFacts.kvmDevice()
    kvm = kvmBackendFrom(ctx.findings)
    if (dev.kind === 'unusable')
      failOpen(`${tier}: cannot open /dev/kvm read-write (${dev.why}); KVM is not usable by this user on this host`)
  }
  const found = await findGuestKernel({ arch: 'x86_64', flavour: 'generic', ...(ctx.kernelPath ? { explicitPath: ctx.kernelPath } : {}) })
  if (found.kind === 'none')
    return failOpen(`${tier}: no guest kernel found (tried ${found.tried.join('; ')}); run \`virtcheck setup\` or pass --kernel PATH`)
  const kernel = await preferUncompressed(found)
  const bb = await busybox()
  if (!bb) return failOpen(`${tier}: no static busybox for the guest (install busybox-static)`)

  const withNetwork = ctx.network !== undefined
  const channel = AGENT_CHANNELS[opts.agentChannel]
  const initrd = await buildInitramfs({
    busyboxPath: bb,
    vcworkPath: nativeBinary('vcwork', 'x86_64'),
    // An explicit kernel without a modules folder must have its drivers built in; the guest init then
    // reports a missing disk or NIC on the console, and the jobs fail with that evidence.
    modules: kernel.modulesDir ? [...guestModules(devices, withNetwork), ...channel.modules] : [],
    moduleGroups: [devices.diskModules, ...(withNetwork ? [devices.nicModules] : []), ...(channel.modules.length ? [channel.modules] : [])],
    ...(kernel.modulesDir ? { modulesDir: kernel.modulesDir } : {}),
  })
  if (initrd.kind === 'failed')
    return failOpen(
      `${tier}: cannot build the guest initramfs: ${initrd.reason} (kernel ${kernel.release}, ${kernel.flavour}, ${kernel.source})`,
    )

  // Socket paths are limited to 108 bytes, so they live in a short temp folder, not in workDir.
  // The session removes its own files on close or failed open; the registry covers crashes and Ctrl-C.
  const { undos, undoAll } = guestUndos()
  const sockDir = await mkdtemp(join(tmpdir(), `${SOCKET_DIR_PREFIX}${process.pid}-`))
  undos.push(ctx.cleanup.add(`${tier}: agent socket folder ${sockDir}`, () => rm(sockDir, { recursive: true, force: true })))
  const agentSocket = join(sockDir, 'agent.sock')
  const diskPath = join(ctx.scratchDir, `virtcheck-${tier}-${process.pid}.raw`)
  undos.push(ctx.cleanup.add(`${tier}: guest disk ${diskPath}`, () => rm(diskPath, { force: true })))
  const bootSession = async (): Promise<TierSession> => {
    const full = await scratchDiskFull(ctx.scratchDir)
    if (full) failOpen(`${tier}: ${full} (free space there, or set VIRTCHECK_HOME to a larger disk)`)
    const fh = await open(diskPath, 'w')
    await fh.truncate(opts.diskMib * 1024 * 1024) // sparse: blocks are allocated as the IO jobs write them
    await fh.close()
    // cache=none needs O_DIRECT on the scratch file system; on one without it (tmpfs) the default falls
    // back to the host page cache, and the config says so. An explicit cache= is left to QEMU.
    const direct =
      opts.cache === 'none' && ctx.options?.['cache'] === undefined ? await supportsDirectIo(diskPath) : ({ kind: 'ok' } as const)
    const cache = direct.kind === 'ok' ? opts.cache : 'writeback'
    const cacheNote =
      direct.kind === 'ok'
        ? {}
        : { cacheNote: `writeback instead of none: the scratch folder ${ctx.scratchDir} has no O_DIRECT (${direct.why})` }

    let vhost = false
    let vhostNote = 'no network in this run'
    let net: { tap: string; vhost: boolean; guestCidr: string } | undefined
    let peer: string | undefined
    if (ctx.network) {
      const v = await hostFacts.vhostNet()
      vhost = v.kind === 'usable'
      vhostNote = v.kind === 'usable' ? 'vhost-net in use' : `vhost off: /dev/vhost-net cannot be opened (${v.why})`
      const tap = await ctx.network.attachTap()
      net = { tap: tap.ifname, vhost, guestCidr: `${tap.guestAddress}/${tap.prefixLength}` }
      peer = `${tap.peerAddress}:${ctx.network.port}`
    }
    const firmware = await firmwareIfPresent()
    const cmd = buildGuestCommand({
      name: `virtcheck-${process.pid}-${tier}`,
      accel,
      options: { ...opts, cache },
      devices,
      kernelPath: kernel.path,
      initrdPath: initrd.path,
      agentSocket,
      ...(firmware ? { firmware } : {}),
      disk: { path: diskPath },
      ...(net ? { net } : {}),
    })
    // ip netns exec and setpriv both exec, so the spawned pid is QEMU's own.
    const guard = await orphanGuard()
    const argv = [...(ctx.network ? ['ip', 'netns', 'exec', ctx.network.netns] : []), ...guard, ...cmd.argv]
    ctx.log(`${tier}: booting ${kernel.release} (${kernel.flavour}, ${kernel.source})${initrd.cached ? '' : ', initramfs rebuilt'}`)
    const guest = await startGuest({
      label: tier,
      argv,
      agentSocket,
      cleanup: ctx.cleanup,
      signal: ctx.signal,
      startTimeoutMs: ctx.startTimeoutMs,
      ...(accel === 'kvm' ? { explainFailure: (end: GuestEnd) => explainKvmFailure(kvm, end) } : {}),
    })

    const guestFacts = guestEnvFacts(await guest.client.env(scaledTimeoutMs(10_000), ctx.signal))
    const config = {
      ...guestFacts,
      qemuVersion: version,
      qemuBinary: opts.qemuBinary,
      accel,
      ...(accel === 'kvm' ? { kvmBackend: kvm } : {}),
      machine: opts.machine,
      firmware: firmware ?? 'QEMU default (SeaBIOS)',
      cpuModel: opts.cpu,
      vcpus: opts.smp,
      memoryMib: opts.memoryMib,
      deviceModel: devices.model,
      disk: devices.diskLabel,
      guestDisk: devices.guestDisk,
      diskFile: 'raw, sparse, in the scratch folder',
      diskMib: opts.diskMib,
      cacheMode: cache,
      ...cacheNote,
      ...(devices.model === 'virtio' ? { ioeventfd: opts.ioeventfd } : {}),
      aio: opts.aio,
      nic: net ? devices.nic : 'none',
      vhost,
      vhostNote,
      agentChannel: channel.label,
      orphanGuard: guard.length ? guard.join(' ') : 'none (setpriv missing)',
      kernelPath: kernel.path,
      ...(kernel.imagePath && kernel.imagePath !== kernel.path ? { kernelImage: kernel.imagePath } : {}),
      kernelRelease: kernel.release,
      kernelFlavour: kernel.flavour,
      kernelSource: kernel.source,
      kernelCmdline: cmd.kernelCmdline,
      guestModules: kernel.modulesDir
        ? initrd.moduleOrder.map((m) => m.split('/').pop() ?? m).join(',')
        : 'none (kernel without modules: drivers must be built in)',
      initramfsKey: initrd.key.slice(0, 16),
      initramfsBytes: initrd.bytes,
      ...(guest.userspaceMs !== undefined ? { bootToUserspaceMs: Math.round(guest.userspaceMs) } : {}),
      qemuCommand: renderArgv(argv),
    }
    return guestSession({
      tier,
      config,
      guest,
      disk: devices.guestDisk,
      ...(peer ? { peer } : {}),
      slowdown: accel === 'tcg' ? TCG_SLOWDOWN : 1,
      memoryMib: opts.memoryMib,
      signal: ctx.signal,
      scratchDir: ctx.scratchDir,
      undoAll,
    })
  }
  return bootOrUndoAll(bootSession, undoAll)
}
