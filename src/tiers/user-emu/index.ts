/**
 * emu-aarch64: the aarch64 build of vcwork under qemu-user (TCG, user mode), speaking the agent
 * protocol over stdio. Called explicitly (`qemu-aarch64-static vcwork agent`), so it needs no
 * binfmt_misc registration and changes nothing on the host. IO jobs use a file in the shared scratch
 * folder (same file system as native). For net jobs it runs in its own network namespace
 * (`unshare --net`) joined to the peer by a veth pair, like a container; without a peer namespace
 * (not root) it uses a loopback peer, as the native tier does.
 * `--tier-opt emu-aarch64.mode=system` instead boots an arm64 guest under qemu-system-aarch64
 * (system.ts; needs `virtcheck setup --with aarch64-kernel`).
 */
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { agentConfig, startAgentProcess } from '../../agent/process.js'
import { jobTimeoutMs } from '../../agent/job-timeout.js'
import { AgentStartError } from '../../agent/client.js'
import { qemuVersion } from '../qemu/host-facts.js'
import { withTierParams } from '../../agent/job-plumbing.js'
import { removeScratchFiles } from '../../agent/scratch.js'
import { startLoopbackPeer } from '../../net/loopback-peer.js'
import { emuAgentArgv, emuMode, parseEmuOptions } from './options.js'
import { openAarch64System } from './system.js'
import { needsPeer } from '../../../workloads/index.js'
import { driverFacts } from '../live-facts.js'
import { toolToSpawn } from '../../host/tool-path.js'

const QEMU_USER_CANDIDATES = ['qemu-aarch64-static', 'qemu-aarch64']
/** qemu-user translates every instruction; give job timeouts room for it. */
const EMU_SLOWDOWN = 4

const findQemuUser = async (explicit?: string): Promise<{ binary: string; version: string } | { why: string }> => {
  const tried: string[] = []
  for (const b of (explicit ? [explicit] : QEMU_USER_CANDIDATES).map(toolToSpawn)) {
    const v = await qemuVersion(b)
    if (v.ok) return { binary: b, version: v.version }
    tried.push(v.why)
  }
  return { why: `${tried.join('; ')} (install qemu-user-static)` }
}

export const emuAarch64Driver: TierDriver = {
  id: 'emu-aarch64',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    if (emuMode(ctx.options) === 'system') return openAarch64System(ctx)
    const opts = parseEmuOptions(ctx.options)
    const qemu = await findQemuUser(opts.qemuBinary)
    if ('why' in qemu) throw new AgentStartError(`emu-aarch64: no qemu-user for aarch64: ${qemu.why}`, '')
    const vcwork = nativeBinary('vcwork', 'aarch64')
    const built = await driverFacts(ctx.findings).vcworkBuilt('aarch64')
    if (!built.built)
      throw new AgentStartError(
        `emu-aarch64: ${vcwork} is not usable (${built.why}; build it with \`node workloads/build.mjs\`; needs gcc-aarch64-linux-gnu)`,
        '',
      )
    const network = ctx.network
    const agent = await startAgentProcess(
      emuAgentArgv(qemu.binary, vcwork, { ...(opts.cpu ? { cpu: opts.cpu } : {}), ownNetns: network !== undefined }),
      {
        label: 'emu-aarch64',
        cleanup: ctx.cleanup,
        signal: ctx.signal,
        startTimeoutMs: ctx.startTimeoutMs,
        cwd: ctx.scratchDir,
        // vcwork re-executes itself to fix its address layout; under qemu-user that exec would go
        // through binfmt_misc (another emulator, other options) or fail: the emulator keeps its own
        env: { VCWORK_ADDRESS_LAYOUT: 'keep' },
      },
    )
    let peer: string | { unavailable: string } | undefined
    let netNote = 'loopback (127.0.0.1), peer started on the first net job'
    if (network) {
      try {
        // unshare execs qemu, so the agent's pid is the process living in the new namespace.
        const link = await network.attachVeth({ pid: agent.pid })
        peer = `${link.peerAddress}:${network.port}`
        netNote = `own network namespace, veth ${link.ifname} ${link.localAddress}/${link.prefixLength} to the peer`
      } catch (e) {
        peer = { unavailable: `veth to the peer failed: ${e instanceof Error ? e.message : String(e)}` }
        netNote = peer.unavailable
      }
    }
    const peerFor = async (): Promise<string | { unavailable: string }> =>
      (peer ??= await startLoopbackPeer(ctx.cleanup, { maxSeconds: 3600, log: ctx.log }).then(
        (p) => p.address,
        (e: unknown) => ({ unavailable: e instanceof Error ? e.message : String(e) }),
      ))
    const undoScratch = ctx.cleanup.add('emu-aarch64: scratch files', () => removeScratchFiles(ctx.scratchDir, 'emu-aarch64'))
    const config = {
      emulator: qemu.binary,
      qemuVersion: qemu.version,
      mode: 'qemu-user (TCG, user mode)',
      guestArch: agent.arch,
      cpuModel: opts.cpu ?? 'qemu-user default (max)',
      binfmt: 'not used (emulator invoked explicitly)',
      ...agentConfig(agent),
      network: netNote,
      scratchDir: ctx.scratchDir,
      systemEmulation: 'available with --tier-opt emu-aarch64.mode=system',
    }
    return {
      tier: 'emu-aarch64',
      config,
      bootMs: agent.bootMs,
      // Left to the scheduler, qemu-user stayed on the CPU that takes the disk's interrupts while
      // native walked both: io.fsync 1.4x "faster than native" (docs/fidelity.md).
      pinsHostCpus: true,
      run: async (req: JobRequest, signal?: AbortSignal) => {
        const full = withTierParams(req, {
          tier: 'emu-aarch64',
          scratchDir: ctx.scratchDir,
          ...(needsPeer(req.job) ? { peer: await peerFor() } : {}),
        })
        if ('kind' in full) return full
        return agent.client.run(full, jobTimeoutMs(full, EMU_SLOWDOWN), signal ?? ctx.signal)
      },
      // qemu-user's own memory (translator, code cache) is inside the same process as the workload;
      // it cannot be separated from the workload's pages, so no figure is claimed.
      overheadRssBytes: async () => undefined,
      close: async () => {
        await agent.close()
        await undoScratch()
      },
    }
  },
}
