/**
 * The native tier's network peer: `vcwork serve` on 127.0.0.1 in the host's own namespace. Loopback is
 * the native network path (nothing is configured, nothing leaves the host), and the fallback that works
 * without root.
 */
import { createServer } from 'node:net'
import type { Cleanup } from '../core/cleanup.js'
import { nativeBinary } from '../host/paths.js'
import { startServe, type ServeProcess } from './serve.js'

export interface LoopbackPeer {
  /** `127.0.0.1:PORT`, the value of the net jobs' `peer` parameter. */
  readonly address: string
  readonly serve: ServeProcess
}

/** A port the kernel just handed out on 127.0.0.1 (released again before the server binds it). */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })

export const startLoopbackPeer = async (
  cleanup: Cleanup,
  opts: { readonly maxSeconds: number; readonly vcworkPath?: string; readonly log?: (line: string) => void },
): Promise<LoopbackPeer> => {
  const port = await freeLoopbackPort()
  const serve = await startServe({
    cleanup,
    argvPrefix: [],
    vcwork: opts.vcworkPath ?? nativeBinary('vcwork'),
    listen: `127.0.0.1:${port}`,
    port,
    maxSeconds: opts.maxSeconds,
    label: 'loopback peer',
    ...(opts.log ? { log: opts.log } : {}),
  })
  return { address: `127.0.0.1:${port}`, serve }
}
