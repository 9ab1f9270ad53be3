/**
 * emu-aarch64 mode=system: one arm64 guest under qemu-system-aarch64 (TCG, `-M virt`) that runs every
 * job of the tier, built like the x86 QEMU tiers (src/tiers/qemu/session.ts): Debian's arm64 kernel and
 * busybox-static:arm64 from virtcheck's cache (`virtcheck setup --with aarch64-kernel`), an initramfs
 * with the aarch64 vcwork and the virtio-mmio module closure, the agent on a virtio console, a raw
 * virtio-blk disk in the scratch folder, a virtio-net NIC on a tap in the peer namespace. QEMU runs
 * under `setpriv --pdeathsig KILL`, is registered for cleanup and must reach the agent within the
 * start timeout; every failure before that is a GuestBootError with the console tail.
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TierOpenContext, TierSession } from '../../core/tier.js'
import { bootOrUndoAll, guestEnvFacts, guestSession, guestUndos, TCG_SLOWDOWN } from '../qemu/guest-session.js'
import { nativeBinary } from '../../host/paths.js'
import { findAarch64Guest } from '../../guest/aarch64-guest.js'
import { buildInitramfs } from '../../guest/initramfs.js'
import { renderArgv } from '../qemu/command.js'
import { GuestBootError, startGuest } from '../qemu/guest-process.js'
import { orphanGuard, qemuVersion } from '../qemu/host-facts.js'
import { SOCKET_DIR_PREFIX } from '../qemu/strays.js'
import { parseEmuSystemOptions } from './options.js'
import { AARCH64_GUEST_DISK, aarch64ModuleGroups, buildAarch64Command } from './system-command.js'
import { driverFacts } from '../live-facts.js'
import { toolToSpawn } from '../../host/tool-path.js'
import { scratchDiskFull } from '../../agent/scratch.js'

/** A TCG arm64 guest runs a repetition's fixed work many times slower; give job timeouts room. */

const failOpen = (message: string, logTail = ''): never => {
  throw new GuestBootError(message, logTail)
}

export const openAarch64System = async (ctx: TierOpenContext): Promise<TierSession> => {
  const tier = 'emu-aarch64'
  const parsed = parseEmuSystemOptions(ctx.options)
  const opts = { ...parsed, qemuBinary: toolToSpawn(parsed.qemuBinary) }
  const qemu = await qemuVersion(opts.qemuBinary)
  if (!qemu.ok) return failOpen(`${tier} (mode=system): ${qemu.why} (install qemu-system-arm)`)
  const guestImage = await findAarch64Guest()
  if (guestImage.kind === 'none')
    return failOpen(
      `${tier} (mode=system): no arm64 guest kernel (tried ${guestImage.tried.join('; ')}); run \`virtcheck setup --with aarch64-kernel\``,
    )
  const vcwork = nativeBinary('vcwork', 'aarch64')
  const built = await driverFacts(ctx.findings).vcworkBuilt('aarch64')
  if (!built.built)
    return failOpen(
      `${tier} (mode=system): ${vcwork} is not usable (${built.why}; build it with \`node workloads/build.mjs\`; needs gcc-aarch64-linux-gnu)`,
    )

  const withNetwork = ctx.network !== undefined
  const groups = aarch64ModuleGroups(withNetwork)
  const initrd = await buildInitramfs({
    busyboxPath: guestImage.busyboxPath,
    vcworkPath: vcwork,
    modulesDir: guestImage.modulesDir,
    modules: [...new Set(groups.flat())],
    moduleGroups: groups,
  })
  if (initrd.kind === 'failed')
    return failOpen(`${tier} (mode=system): cannot build the arm64 initramfs: ${initrd.reason} (kernel ${guestImage.release})`)

  const { undos, undoAll } = guestUndos()
  const bootSession = async (): Promise<TierSession> => {
    // Socket paths are limited to 108 bytes: a short temp folder, named like the x86 tiers' (strays.ts).
    const sockDir = await mkdtemp(join(tmpdir(), `${SOCKET_DIR_PREFIX}${process.pid}-`))
    undos.push(ctx.cleanup.add(`${tier}: agent socket folder ${sockDir}`, () => rm(sockDir, { recursive: true, force: true })))
    const agentSocket = join(sockDir, 'agent.sock')
    const diskPath = join(ctx.scratchDir, `virtcheck-${tier}-${process.pid}.raw`)
    undos.push(ctx.cleanup.add(`${tier}: guest disk ${diskPath}`, () => rm(diskPath, { force: true })))
    const full = await scratchDiskFull(ctx.scratchDir)
    if (full) failOpen(`${tier} (mode=system): ${full} (free space there, or set VIRTCHECK_HOME to a larger disk)`)
    const fh = await open(diskPath, 'w')
    await fh.truncate(opts.diskMib * 1024 * 1024) // sparse
    await fh.close()

    let net: { tap: string; guestCidr: string } | undefined
    let peer: string | undefined
    if (ctx.network) {
      const tap = await ctx.network.attachTap()
      net = { tap: tap.ifname, guestCidr: `${tap.guestAddress}/${tap.prefixLength}` }
      peer = `${tap.peerAddress}:${ctx.network.port}`
    }
    const cmd = buildAarch64Command({
      name: `virtcheck-${process.pid}-${tier}`,
      options: opts,
      kernelPath: guestImage.kernelPath,
      initrdPath: initrd.path,
      agentSocket,
      disk: { path: diskPath },
      ...(net ? { net } : {}),
    })
    // ip netns exec and setpriv both exec, so the spawned pid is QEMU's own.
    const guard = await orphanGuard()
    const argv = [...(ctx.network ? ['ip', 'netns', 'exec', ctx.network.netns] : []), ...guard, ...cmd.argv]
    ctx.log(`${tier}: booting arm64 ${guestImage.release} under ${opts.qemuBinary}${initrd.cached ? '' : ', initramfs rebuilt'}`)
    const guest = await startGuest({
      label: `${tier} (mode=system)`,
      argv,
      agentSocket,
      cleanup: ctx.cleanup,
      signal: ctx.signal,
      startTimeoutMs: ctx.startTimeoutMs,
    })
    const config = {
      mode: 'system',
      emulation: 'qemu-system-aarch64 (TCG, full system)',
      ...guestEnvFacts(await guest.client.env(10_000, ctx.signal)),
      guestArch: 'aarch64',
      emulator: opts.qemuBinary,
      qemuVersion: qemu.ok ? qemu.version : '',
      accel: 'tcg',
      machine: opts.machine,
      cpuModel: opts.cpu,
      vcpus: opts.smp,
      memoryMib: opts.memoryMib,
      devices: cmd.devices,
      disk: 'virtio-blk-device',
      guestDisk: AARCH64_GUEST_DISK,
      diskFile: 'raw, sparse, in the scratch folder',
      diskMib: opts.diskMib,
      cacheMode: 'none',
      aio: 'io_uring',
      nic: net ? 'virtio-net-device' : 'none',
      vhost: false,
      network: net ? `tap ${net.tap} in ${ctx.network?.netns ?? '?'}, guest ${net.guestCidr}` : 'no network in this run',
      agentChannel: 'virtio console (hvc0) on virtio-serial-device (virtio-mmio), unix socket',
      orphanGuard: guard.length ? guard.join(' ') : 'none (setpriv missing)',
      kernelPath: guestImage.kernelPath,
      kernelRelease: guestImage.release,
      kernelFlavour: guestImage.flavour,
      kernelSource: `${guestImage.source} (${guestImage.manifest.kernelPackage} ${guestImage.manifest.kernelPackageVersion})`,
      kernelCmdline: cmd.kernelCmdline,
      kpti: opts.kpti,
      busybox: `busybox-static:arm64 ${guestImage.manifest.busyboxPackageVersion}`,
      guestModules: initrd.moduleOrder.map((m) => m.split('/').pop() ?? m).join(','),
      initramfsKey: initrd.key.slice(0, 16),
      initramfsBytes: initrd.bytes,
      ...(guest.userspaceMs !== undefined ? { bootToUserspaceMs: Math.round(guest.userspaceMs) } : {}),
      scratchDir: ctx.scratchDir,
      qemuCommand: renderArgv(argv),
    }
    return guestSession({
      tier,
      config,
      guest,
      disk: AARCH64_GUEST_DISK,
      ...(peer ? { peer } : {}),
      slowdown: TCG_SLOWDOWN,
      memoryMib: opts.memoryMib,
      signal: ctx.signal,
      scratchDir: ctx.scratchDir,
      undoAll,
    })
  }
  return bootOrUndoAll(bootSession, undoAll)
}
