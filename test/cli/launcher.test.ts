// bin/virtcheck.js's Node check: one line naming the version found and what to do (the packaging
// check in .ci/package-check runs the launcher under a real Node 18 from the npm registry).
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { nodeVersionProblem } from '../../bin/node-check.js'

describe('launcher Node check', () => {
  it('turns away the Node versions distributions ship, naming the version and both ways out', () => {
    for (const v of ['v12.22.9', 'v18.19.1', 'v18.20.4', 'v20.4.0']) {
      const line = nodeVersionProblem(v, '/usr/bin/node')
      expect(line).toBe(
        `error: virtcheck needs Node.js >= 20.5, found ${v} at /usr/bin/node; use the self-contained virtcheck executable (no Node needed: \`npm run package\`, or the release .deb/.tar.xz), or install Node.js 22 or 24 LTS`,
      )
      expect(line?.split('\n')).toHaveLength(1)
    }
  })

  it('accepts 20.5 and later', () => {
    for (const v of ['v20.5.0', 'v20.20.2', 'v22.0.0', 'v24.22.3', 'v25.1.0']) expect(nodeVersionProblem(v, '/x/node')).toBeUndefined()
  })

  it('lets the running Node start the CLI (exit 0 for --version, or the not-built line)', () => {
    const r = spawnSync(process.execPath, ['bin/virtcheck.js', '--version'], { encoding: 'utf8' })
    expect([r.status, r.stderr.includes('needs Node.js')]).toEqual([r.stderr.includes('not built yet') ? 2 : 0, false])
  })
})
