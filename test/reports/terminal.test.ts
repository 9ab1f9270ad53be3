import { describe, expect, it } from 'vitest'
import { renderMatrix } from '../../reports/terminal-matrix.js'
import { renderSummaryLines } from '../../reports/summary.js'
import { plainStyle, resolveStyle } from '../../reports/format/style.js'
import { fixture } from './helpers/fixtures.js'

const ANSI = /\u001b\[/

describe('terminal matrix', () => {
  const pvm = fixture('pvm-host.json')
  const bm = fixture('bare-metal-kvm.json')

  it('renders the frozen PVM host (plain style, 100 columns)', async () => {
    const text = renderMatrix(pvm, plainStyle(100))
    await expect(text).toMatchFileSnapshot('__snapshots__/terminal-pvm-host.txt')
    expect(text).toContain('1.00×')
    expect(text).toContain('✗ job timed out')
    expect(text).toMatch(/lxc failed: lxc-execute exited 1/)
  })

  it.each([60, 80, 100, 140])('fits %i columns, wrapping tiers into groups', (width) => {
    const text = renderMatrix([pvm, bm], plainStyle(width))
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(width)
    // every tier column of both hosts appears in some group header
    for (const tier of ['native', 'container', 'tcg-virtio', 'tcg-emulated', 'emu-aarch64', 'kvm-virtio', 'docker'])
      expect(text).toContain(tier)
  })

  it('shows one row per job metric in every column group', () => {
    const text = renderMatrix(pvm, plainStyle(60))
    const groups = text.split('\n').filter((l) => l.startsWith('job metric')).length
    expect(groups).toBeGreaterThan(1)
    expect(text.split('\n').filter((l) => l.startsWith('sys.syscall latency'))).toHaveLength(groups)
  })

  it('merges two hosts as column groups', async () => {
    await expect(renderMatrix([pvm, bm], plainStyle(100))).toMatchFileSnapshot('__snapshots__/terminal-merged.txt')
  })

  it('colours only when the Style says so', () => {
    const tty = resolveStyle({ isTTY: true, env: {}, columns: 100 })
    expect(renderMatrix(pvm, tty)).toMatch(ANSI)
    expect(renderMatrix(pvm, resolveStyle({ isTTY: true, env: { NO_COLOR: '1' }, columns: 100 }))).not.toMatch(ANSI)
    expect(renderMatrix(pvm, resolveStyle({ isTTY: false, env: {} }))).not.toMatch(ANSI)
  })

  it('uses ASCII when unicode is off', () => {
    const text = renderMatrix(pvm, { ...plainStyle(100), unicode: false })
    expect(text).not.toMatch(/[─✗…]/)
  })

  it('says so when there are no results', () => {
    expect(renderMatrix({ ...pvm, results: [], tiers: [] }, plainStyle())).toMatch(/^No benchmark results/)
  })
})

describe('summary lines', () => {
  it('gives the verdict and one headline per tier', async () => {
    const lines = renderSummaryLines(fixture('pvm-host.json'), plainStyle(100))
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('__snapshots__/summary-pvm-host.txt')
    expect(lines[1]).toMatch(/6 of 10 tiers ready, 5 measured, 1 failed/)
    expect(lines.some((l) => /tcg-virtio\s+0\.1\d×/.test(l))).toBe(true)
  })
})
