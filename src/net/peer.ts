/**
 * The benchmark network peer: a network namespace virtcheck creates (`virtcheck-<pid>-<n>`), with
 * only `lo` up, running `vcwork serve`. Tiers reach it over a veth pair (containers) or a tap device
 * (QEMU guests started with `ip netns exec NS qemu ...`). Nothing is ever configured in the host's own
 * namespace, so no benchmark traffic can leave namespaces virtcheck created. Every step registers its
 * undo with the CleanupRegistry before it can fail half-way.
 */
import { readlink } from 'node:fs/promises'
import type { PeerNetwork } from '../core/tier.js'
import type { Cleanup } from '../core/cleanup.js'
import { nativeBinary } from '../host/paths.js'
import { startServe, type ServeProcess } from './serve.js'
import { cmd, must, NetSetupError } from './ip-command.js'
import { linkSubnet, peerNetnsName, PREFIX_LENGTH, tapName, vethNames } from './addresses.js'

export interface PeerNetworkOptions {
  /** Upper bound for `vcwork serve` (the whole run's budget); it exits by itself after that. */
  readonly maxSeconds: number
  /** TCP port the peer listens on inside its namespace. @default 7100 */
  readonly port?: number
  /** Path of the vcwork binary. @default build/native/<arch>/vcwork */
  readonly vcworkPath?: string
  readonly log?: (line: string) => void
}

/** The peer could not be created here (not root, no `ip`); net jobs are then failed with this reason. */
export class PeerUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PeerUnavailableError'
  }
}

export const NOT_ROOT_REASON = 'needs root to create a network namespace'

let instanceCounter = 0

/** Link indexes are per process, so two peers of one run never hand out the same /30. */
let linkCounter = 0

export interface ManagedPeerNetwork extends PeerNetwork {
  /** The running `vcwork serve` (for tests and diagnostics). */
  readonly serve: ServeProcess
  /** Remove everything now (also registered with the CleanupRegistry). */
  close(): Promise<void>
}

export const createPeerNetwork = async (cleanup: Cleanup, opts: PeerNetworkOptions): Promise<ManagedPeerNetwork> => {
  if (process.getuid?.() !== 0) throw new PeerUnavailableError(NOT_ROOT_REASON)
  const probe = await cmd(['ip', '-V'])
  if (!probe.ok) throw new PeerUnavailableError(`the \`ip\` command (iproute2) is not available: ${probe.stderr.trim()}`)

  const netns = peerNetnsName(process.pid, instanceCounter++)
  const port = opts.port ?? 7100
  const undos: (() => Promise<void>)[] = []
  const removeNetns = cleanup.add(`network namespace ${netns}`, async () => {
    // Deleting the namespace also destroys every veth end and tap inside it.
    await cmd(['ip', 'netns', 'del', netns])
  })
  undos.push(removeNetns)
  try {
    await must(['ip', 'netns', 'add', netns])
    await must(['ip', '-n', netns, 'link', 'set', 'lo', 'up'])
    const serve = await startServe({
      cleanup,
      argvPrefix: ['ip', 'netns', 'exec', netns],
      vcwork: opts.vcworkPath ?? nativeBinary('vcwork'),
      listen: `0.0.0.0:${port}`,
      port,
      maxSeconds: opts.maxSeconds,
      label: `peer ${netns}`,
      ...(opts.log ? { log: opts.log } : {}),
    })
    undos.unshift(serve.stop)
    opts.log?.(`network peer: vcwork serve listening on port ${port} in namespace ${netns}`)

    const attachVeth: PeerNetwork['attachVeth'] = async (target) => {
      await refuseHostNamespace(target)
      const k = linkCounter++
      const { peerSide, tierSide } = vethNames(k)
      const subnet = linkSubnet(k)
      const dest = 'pid' in target ? String(target.pid) : target.netns
      // Created inside the peer namespace; the other end goes straight into the target namespace.
      await must(['ip', '-n', netns, 'link', 'add', peerSide, 'type', 'veth', 'peer', 'name', tierSide, 'netns', dest])
      cleanup.add(`veth ${peerSide} in ${netns}`, async () => void (await cmd(['ip', '-n', netns, 'link', 'del', peerSide])))
      await must(['ip', '-n', netns, 'addr', 'add', `${subnet.peer}/${PREFIX_LENGTH}`, 'dev', peerSide])
      await must(['ip', '-n', netns, 'link', 'set', peerSide, 'up'])
      const inTarget = 'pid' in target ? ['nsenter', '-t', String(target.pid), '-n', 'ip'] : ['ip', '-n', target.netns]
      await must([...inTarget, 'addr', 'add', `${subnet.tier}/${PREFIX_LENGTH}`, 'dev', tierSide])
      await must([...inTarget, 'link', 'set', tierSide, 'up'])
      await must([...inTarget, 'link', 'set', 'lo', 'up'])
      return { ifname: tierSide, localAddress: subnet.tier, peerAddress: subnet.peer, prefixLength: PREFIX_LENGTH }
    }

    const attachTap: PeerNetwork['attachTap'] = async () => {
      const k = linkCounter++
      const ifname = tapName(k)
      const subnet = linkSubnet(k)
      await must(['ip', '-n', netns, 'tuntap', 'add', 'dev', ifname, 'mode', 'tap'])
      cleanup.add(`tap ${ifname} in ${netns}`, async () => void (await cmd(['ip', '-n', netns, 'link', 'del', ifname])))
      await must(['ip', '-n', netns, 'addr', 'add', `${subnet.peer}/${PREFIX_LENGTH}`, 'dev', ifname])
      await must(['ip', '-n', netns, 'link', 'set', ifname, 'up'])
      return { ifname, guestAddress: subnet.tier, peerAddress: subnet.peer, prefixLength: PREFIX_LENGTH }
    }

    const close = async () => {
      for (const undo of undos) await undo()
    }
    return { netns, port, attachVeth, attachTap, serve, close }
  } catch (e) {
    for (const undo of undos) await undo()
    if (e instanceof NetSetupError) throw new PeerUnavailableError(`could not set up the network peer: ${e.message}`)
    throw e
  }
}

/** Safety: a veth end must never be configured in the namespace virtcheck itself runs in (the host's). */
const refuseHostNamespace = async (target: { readonly pid: number } | { readonly netns: string }): Promise<void> => {
  if (!('pid' in target)) return
  const [mine, theirs] = await Promise.all([
    readlink('/proc/self/ns/net').catch(() => 'self?'),
    readlink(`/proc/${target.pid}/ns/net`).catch(() => 'gone'),
  ])
  if (theirs === 'gone') throw new NetSetupError(`process ${target.pid} is gone; cannot attach a veth to it`)
  if (mine === theirs) throw new NetSetupError(`refusing to configure a veth in the host's own network namespace (pid ${target.pid})`)
}
