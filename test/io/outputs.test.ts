import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../src/core/errors.js'
import { writeJsonAtomic, writeOutputs } from '../../src/io/outputs.js'
import { readRunReport } from '../../src/io/read-report.js'
import { fixture } from '../reports/helpers/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-out-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sink = () => {
  let text = ''
  return {
    write: (t: string) => void (text += t),
    get text() {
      return text
    },
  }
}

describe('writeOutputs', () => {
  const report = fixture('pvm-host.json')

  it('writes several formats at once, one of them to stdout', async () => {
    mkdirSync(join(dir, 'a'))
    const out = sink()
    const written = await writeOutputs(
      report,
      { json: 'a/run.json', html: 'a/run.html', md: '-', junit: join(dir, 'a', 'junit.xml') },
      { stdout: out, cwd: dir },
    )
    expect(written.map((w) => w.format)).toEqual(['json', 'html', 'md', 'junit'])
    expect(out.text).toMatch(/^## virtcheck/)
    expect(readFileSync(join(dir, 'a', 'run.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/)
    expect(readFileSync(join(dir, 'a', 'junit.xml'), 'utf8')).toMatch(/^<\?xml/)
    // atomic writes leave no temp files behind
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['junit.xml', 'run.html', 'run.json'])
    expect(await readRunReport(join(dir, 'a', 'run.json'))).toEqual(report)
  })

  it('refuses two outputs on stdout and writes nothing', async () => {
    await expect(writeOutputs(report, { json: '-', md: '-' }, { stdout: sink(), cwd: dir })).rejects.toThrow(
      /only one output can go to stdout/,
    )
  })

  it('merges several reports for html and md but refuses json and junit', async () => {
    const two = [report, fixture('bare-metal-kvm.json')]
    const out = sink()
    await writeOutputs(two, { html: 'm.html' }, { stdout: out, cwd: dir })
    expect(readFileSync(join(dir, 'm.html'), 'utf8')).toContain('2 hosts compared')
    await expect(writeOutputs(two, { html: 'x.html', junit: 'x.xml' }, { stdout: out, cwd: dir })).rejects.toBeInstanceOf(UsageError)
    expect(existsSync(join(dir, 'x.html'))).toBe(false)
  })

  it('never creates the folder of a file the user named', async () => {
    await expect(writeOutputs(report, { md: 'no-such/dir/x.md' }, { stdout: sink(), cwd: dir })).rejects.toThrow(
      /cannot write .*x\.md: the folder does not exist/,
    )
    expect(existsSync(join(dir, 'no-such'))).toBe(false)
  })

  it('turns an unwritable target into a one-line usage error', async () => {
    await expect(writeOutputs(report, { md: join(dir, 'm.html', 'sub.md') }, { stdout: sink() })).rejects.toThrow(
      /cannot write .*sub\.md: /,
    )
  })
})

describe('writeJsonAtomic', () => {
  it('replaces a partial save with the next one (in a run folder it creates)', async () => {
    const p = join(dir, 'partial', 'run.json')
    const report = fixture('pvm-host.json')
    await writeJsonAtomic(p, { ...report, partial: true, results: report.results.slice(0, 3) }, { createDir: true })
    expect((await readRunReport(p)).results).toHaveLength(3)
    await writeJsonAtomic(p, report)
    expect((await readRunReport(p)).partial).toBe(false)
    expect(readdirSync(join(dir, 'partial'))).toEqual(['run.json'])
  })
})
