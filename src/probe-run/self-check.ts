/**
 * software.vcwork: are virtcheck's own static helpers built for this architecture and for aarch64?
 * This is a fact about the virtcheck installation (not the probed host), so it reads the local
 * build folder directly even when probing a snapshot.
 */
import { existsSync, openSync, readSync, closeSync } from 'node:fs'
import { evidence, pass, warn, type Finding } from '../core/finding.js'
import { nativeBinary } from '../host/paths.js'
import { parseElf } from '../parse/elf.js'

const headBytes = (path: string): Uint8Array | undefined => {
  if (!existsSync(path)) return undefined
  const fd = openSync(path, 'r')
  try {
    const b = Buffer.alloc(4096)
    const n = readSync(fd, b, 0, b.length, 0)
    return new Uint8Array(b.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

export const vcworkFinding = (
  hostArch: string,
  binaryFor: (arch: string) => string = (a) => nativeBinary('vcwork', a),
  read = headBytes,
): Finding => {
  const head = { id: 'software.vcwork', area: 'software', title: 'virtcheck workload helper (static vcwork builds)' } as const
  const arches = [...new Set([hostArch, 'aarch64'])]
  const state = arches.map((a) => {
    const b = read(binaryFor(a))
    const elf = b ? parseElf(b) : undefined
    return {
      arch: a,
      ok: !!elf && elf.static && elf.machine === a,
      words: !b ? 'not built' : !elf ? 'not an ELF file' : `${elf.machine}, ${elf.static ? 'static' : 'dynamic'}`,
    }
  })
  const facts = Object.fromEntries(state.map((s) => [s.arch, s.ok]))
  const ev = state.map((s) => evidence(binaryFor(s.arch), s.words))
  const missing = state.filter((s) => !s.ok)
  if (missing.length === 0) return pass({ ...head, facts }, `built for ${arches.join(' and ')}`, ev)
  return warn({ ...head, facts }, `not built for ${missing.map((s) => s.arch).join(', ')}`, ev, {
    summary: 'Build the static helpers (needs gcc, and aarch64-linux-gnu-gcc for the aarch64 build).',
    commands: ['node workloads/build.mjs'],
  })
}
