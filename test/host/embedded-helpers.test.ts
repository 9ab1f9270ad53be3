// The packaged executable's helper extraction, with a real file system and a stand-in for node:sea's
// asset reader (the executable itself is exercised by .ci/package-check).
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { extractHelper } from '../../src/host/embedded-helpers.js'

const cache = mkdtempSync(join(tmpdir(), 'vc-embedded-'))
const cacheDir = (name: string) => join(cache, name)
afterAll(() => rmSync(cache, { recursive: true, force: true }))

const script = Buffer.from('#!/bin/sh\necho helper-ran\n')
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const reader = (data: Uint8Array) => {
  const calls: string[] = []
  return {
    calls,
    getRawAsset: (key: string) => (calls.push(key), data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer),
  }
}

describe('extractHelper', () => {
  const build = { version: '9.9.9', helpers: { 'x86_64/vcwork': sha(script) } }

  it('writes the asset once, executable, under a folder named for its hash, and reuses it', () => {
    const assets = reader(script)
    const file = extractHelper('x86_64/vcwork', build, join(cache, 'a'), assets)
    expect(file).toBe(join(cache, 'a', 'helpers', `x86_64-${sha(script).slice(0, 16)}`, 'vcwork'))
    expect(statSync(file!).mode & 0o777).toBe(0o755)
    expect(spawnSync(file!, { encoding: 'utf8' }).stdout).toBe('helper-ran\n')
    expect(extractHelper('x86_64/vcwork', build, join(cache, 'a'), assets)).toBe(file)
    expect(assets.calls).toEqual(['x86_64/vcwork'])
  })

  it('rewrites a cached file whose bytes no longer match (checked again by each new process)', () => {
    const dir = join(cacheDir('b'))
    const file = extractHelper('aarch64/vcprobe', { version: '9.9.9', helpers: { 'aarch64/vcprobe': sha(script) } }, dir, reader(script))!
    writeFileSync(file, 'truncated')
    // the per-process memo would trust the file: a new process checks its hash and rewrites it
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/host/embedded-helpers.ts').then((m) => { const data = Buffer.from(${JSON.stringify(script.toString())}); ` +
          `console.log(m.extractHelper('aarch64/vcprobe', { version: '9', helpers: { 'aarch64/vcprobe': '${sha(script)}' } }, ${JSON.stringify(dir)}, ` +
          `{ getRawAsset: () => data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) })) })`,
      ],
      { encoding: 'utf8' },
    )
    expect(r.stdout.trim(), r.stderr).toBe(file)
    expect(readFileSync(file)).toEqual(script)
  })

  it('refuses an asset whose hash differs from the one the bundle was built with', () => {
    expect(() => extractHelper('x86_64/vcwork', build, join(cache, 'c'), reader(Buffer.from('other bytes')))).toThrow(
      /embedded x86_64\/vcwork is damaged \(sha256 [0-9a-f]{64}, built with [0-9a-f]{64}\)/,
    )
  })

  it('has no path for a helper the executable does not carry', () => {
    expect(extractHelper('riscv64/vcwork', build, join(cache, 'd'), reader(script))).toBeUndefined()
  })
})
