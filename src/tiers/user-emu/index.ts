/**
 * emu-aarch64: the aarch64 build of vcwork under qemu-user (TCG, user mode), speaking the agent
 * protocol over stdio. Called explicitly (`qemu-aarch64-static vcwork agent`), so it needs no
 * binfmt_misc registration and changes nothing on the host. For net jobs it runs in its own network
 * namespace (`unshare --net`) joined to the peer by a veth pair, like a container.
 * qemu-system-aarch64 with an arm64 guest kernel is not implemented (see docs/tiers.md).
 */
import { access } from 'node:fs/promises'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { startAgentProcess } from '../../bench/agent-process.js'
import { jobTimeoutMs } from '../../bench/job-timeout.js'
import { AgentStartError } from '../../bench/agent-client.js'
import { qemuVersion } from '../qemu/host-facts.js'
import { isNetJob } from '../qemu/job-params.js'
import { emuAgentArgv, parseEmuOptions } from './options.js'

const QEMU_USER_CANDIDATES = ['qemu-aarch64-static', 'qemu-aarch64']
/** qemu-user translates every instruction; give job timeouts room for it. */
const EMU_SLOWDOWN = 4

const findQemuUser = async (explicit?: string): Promise<{ binary: string; version: string } | { why: string }> => {
  const tried: string[] = []
  for (const b of explicit ? [explicit] : QEMU_USER_CANDIDATES) {
    const v = await qemuVersion(b)
    if (v.ok) return { binary: b, version: v.version }
    tried.push(v.why)
  }
  return { why: `${tried.join('; ')} (install qemu-user-static)` }
}

export const emuAarch64Driver: TierDriver = {
  id: 'emu-aarch64',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    const opts = parseEmuOptions(ctx.options)
    const qemu = await findQemuUser(opts.qemuBinary)
    if ('why' in qemu) throw new AgentStartError(`emu-aarch64: no qemu-user for aarch64: ${qemu.why}`, '')
    const vcwork = nativeBinary('vcwork', 'aarch64')
    if (!(await access(vcwork).then(() => true, () => false)))
      throw new AgentStartError(`emu-aarch64: ${vcwork} is missing (build it with \`node workloads/build.mjs\`; needs gcc-aarch64-linux-gnu)`, '')
    const network = ctx.network
    const agent = await startAgentProcess(emuAgentArgv(qemu.binary, vcwork, { ...(opts.cpu ? { cpu: opts.cpu } : {}), ownNetns: network !== undefined }), {
      label: 'emu-aarch64',
      cleanup: ctx.cleanup,
      signal: ctx.signal,
      startTimeoutMs: ctx.startTimeoutMs,
      cwd: ctx.scratchDir,
    })
    let peer: string | undefined
    let netNote = 'no network in this run'
    if (network) {
      try {
        // unshare execs qemu, so the agent's pid is the process living in the new namespace.
        const link = await network.attachVeth({ pid: agent.pid })
        peer = `${link.peerAddress}:${network.port}`
        netNote = `own network namespace, veth ${link.ifname} ${link.localAddress}/${link.prefixLength} to the peer`
      } catch (e) {
        netNote = `veth to the peer failed: ${e instanceof Error ? e.message : String(e)}`
      }
    }
    const config = {
      emulator: qemu.binary,
      qemuVersion: qemu.version,
      mode: 'qemu-user (TCG, user mode)',
      guestArch: agent.arch,
      cpuModel: opts.cpu ?? 'qemu-user default (max)',
      binfmt: 'not used (emulator invoked explicitly)',
      vcworkVersion: agent.version,
      network: netNote,
      systemEmulation: 'qemu-system-aarch64 not implemented',
    }
    return {
      tier: 'emu-aarch64',
      config,
      bootMs: agent.bootMs,
      run: async (req: JobRequest, signal?: AbortSignal) => {
        let r = req
        if (isNetJob(req.job)) {
          if (!peer) return { kind: 'failed', reason: `${req.job}: no network peer for emu-aarch64: ${netNote}` }
          r = { ...req, params: { ...req.params, peer } }
        }
        return agent.client.run(r, jobTimeoutMs(r, EMU_SLOWDOWN), signal ?? ctx.signal)
      },
      // qemu-user's own memory (translator, code cache) is inside the same process as the workload;
      // it cannot be separated from the workload's pages, so no figure is claimed.
      overheadRssBytes: async () => undefined,
      close: agent.close,
    }
  },
}
