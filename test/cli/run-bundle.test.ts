// bin/run-bundle.js repeats two things of src/ in the launcher's old syntax: the command names (one
// code-cache file each) and the cache folder; these tests keep them equal. And the bundle with its
// cache gives the same answer as without.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cacheBucket, COMMANDS, userCacheDir } from '../../bin/run-bundle.js'
import { COMMAND_NAMES } from '../../src/cli/commands/index.js'
import { userCacheDir as srcUserCacheDir } from '../../src/host/cache-dir.js'

describe('bin/run-bundle.js', () => {
  it('knows the command catalog', () => expect(COMMANDS).toEqual(COMMAND_NAMES))

  it('picks the cache file by the first word that is not a flag', () => {
    expect(cacheBucket(['--no-color', 'probe', '--json', '-'])).toBe('probe')
    expect(cacheBucket(['report', 'probe'])).toBe('report')
    expect(cacheBucket(['--version'])).toBe('main')
    expect(cacheBucket(['no-such-command'])).toBe('main')
  })

  it('finds the same cache folder as src/host/cache-dir.ts', () => {
    const envs: NodeJS.ProcessEnv[] = [
      { VIRTCHECK_CACHE: 'rel/cache', HOME: '/home/a' },
      { XDG_CACHE_HOME: '/xdg', HOME: '/home/a' },
      { XDG_CACHE_HOME: 'relative', HOME: '/home/a' },
      { HOME: '/home/a' },
      { HOME: '/' },
      {},
    ]
    for (const passwd of [() => '/home/pw', () => undefined, () => '/nonexistent'])
      for (const env of envs) expect(userCacheDir(env, passwd)).toBe(srcUserCacheDir(env, passwd))
  })

  it.runIf(existsSync('dist/bundle/virtcheck.cjs'))('answers --version alike with and without the code cache, and writes it', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vc-code-cache-'))
    try {
      const run = (extra: Record<string, string>) =>
        spawnSync(process.execPath, ['bin/virtcheck.js', '--version'], {
          encoding: 'utf8',
          env: { ...process.env, VIRTCHECK_CACHE: cache, ...extra },
        })
      const off = run({ VIRTCHECK_CODE_CACHE: '0' })
      expect(existsSync(join(cache, 'code-cache'))).toBe(false)
      const first = run({})
      const second = run({})
      expect([off.stdout, first.stdout, second.stdout, second.stderr]).toEqual([first.stdout, second.stdout, off.stdout, ''])
      expect(readdirSync(join(cache, 'code-cache'))).toEqual([expect.stringMatching(/^main-[0-9a-f]{8}\.bin$/)])
    } finally {
      rmSync(cache, { recursive: true, force: true })
    }
  })
})
