/**
 * `virtcheck capture -o host.json`: run every probe through a RecordingHost and write what they read
 * (files, listings, stats, opens, command outputs) as one portable snapshot. `virtcheck probe --from`
 * replays it unchanged. Environment values of PID 1 other than `container=` are dropped (secrets).
 */
import { resolve } from 'node:path'
import { UsageError } from '../../core/errors.js'
import { checkOutputPath, writeTextAtomic } from '../../io/outputs.js'
import { jsonText } from '../../../reports/format/json-text.js'
import type { ReadResult } from '../../core/host.js'
import { packageVersion } from '../../host/paths.js'
import { RealHost } from '../../host/real-host.js'
import { openRootedHost } from '../../host/rooted-host.js'
import type { HostSnapshot } from '../../host/snapshot.js'
import { RecordingHost } from '../../host/snapshot-host.js'
import { PROBES } from '../../../probes/index.js'
import { probeEnvFor } from '../../probe-run/load-host.js'
import { runProbes } from '../../probe-run/run-probes.js'
import type { Command } from '../context.js'
import { flagString, parseFlags } from '../parse-flags.js'

const USAGE = `usage: virtcheck capture -o FILE [--description TEXT] [--root DIR]

Record everything the probes read on this machine (file contents, directory listings, device nodes,
command outputs) into one JSON snapshot (format: docs/snapshot-format.md). Diagnose it anywhere with
\`virtcheck probe --from FILE\`. Environment variables of PID 1 are dropped except container=.

  -o, --output FILE     where to write the snapshot (- for stdout)
  --description TEXT    free text stored in the snapshot (e.g. "build-42, after BIOS update")
  --root DIR            record the host whose /proc, /sys, /dev, /etc are mounted under DIR (see probe --help)
`

/** Keep only `container=` from /proc/1/environ (the rest may hold secrets). */
export const sanitizeSnapshot = (snap: HostSnapshot): HostSnapshot => {
  const reads: Record<string, ReadResult> = { ...snap.reads }
  for (const [path, r] of Object.entries(reads)) {
    if (/^\/proc\/(1|self|\d+)\/environ$/.test(path) && r.kind === 'ok')
      reads[path] = {
        kind: 'ok',
        text: r.text
          .split('\0')
          .filter((kv) => kv.startsWith('container='))
          .map((kv) => kv + '\0')
          .join(''),
      }
  }
  return { ...snap, reads }
}

export const captureCommand: Command = {
  name: 'capture',
  summary: 'record what the probes read into a portable host snapshot (for probe --from)',
  usage: USAGE,
  async run(args, ctx) {
    const p = parseFlags('capture', args, {
      output: { type: 'string', short: 'o' },
      description: { type: 'string' },
      root: { type: 'string' },
    })
    const out = flagString(p, 'output')
    if (out === undefined || out === '') throw new UsageError('capture: -o FILE is required', 'e.g. virtcheck capture -o host.json')
    if (out !== '-') checkOutputPath('capture: -o', resolve(ctx.cwd, out))
    const description = flagString(p, 'description')
    const root = flagString(p, 'root')
    const rec = new RecordingHost(root === undefined ? new RealHost() : await openRootedHost(root, ctx.cwd))
    // No docker shortcut: a replay must find `docker info` recorded (probe --from has no socket to stat).
    const { docker: _docker, ...env } = probeEnvFor(ctx.env, ctx.cwd)
    const findings = await runProbes(rec, PROBES, env)
    const snap = sanitizeSnapshot(rec.snapshot({ toolVersion: packageVersion(), ...(description === undefined ? {} : { description }) }))
    const text = jsonText(snap, undefined, 1)
    if (out === '-') ctx.out.write(text)
    else await writeTextAtomic(resolve(ctx.cwd, out), text)
    const n = (t: Readonly<Record<string, unknown>>) => Object.keys(t).length
    ctx.err.write(
      `captured ${n(snap.reads)} reads, ${n(snap.lists)} listings, ${n(snap.stats)} stats, ${n(snap.bytes)} binary reads, ${n(snap.commands)} commands from ${findings.length} findings${out === '-' ? '' : ` -> ${out}`}\n`,
    )
    return 0
  },
}
