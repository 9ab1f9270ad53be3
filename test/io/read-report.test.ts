import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputFileError } from '../../src/core/errors.js'
import { parseRunReportText, readRunReport, validateRunReport } from '../../src/io/read-report.js'
import { fixtureText, fixturePath } from '../reports/helpers/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-read-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const expectInputError = (f: () => unknown, message: RegExp): void => {
  let thrown: unknown
  try {
    f()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(InputFileError)
  const err = thrown as InputFileError
  expect(err.message).toMatch(message)
  expect(err.message).not.toContain('\n')
  expect(err.exitCode).toBe(2)
}

const good = (): Record<string, unknown> => JSON.parse(fixtureText('pvm-host.json')) as Record<string, unknown>

describe('reading run reports', () => {
  it.each(['pvm-host.json', 'bare-metal-kvm.json', 'hostile-strings.json'])('accepts the fixture %s', async (name) => {
    const r = await readRunReport(fixturePath(name))
    expect(r.schema).toBe('virtcheck-run')
    expect(r.results.length).toBeGreaterThan(50)
  })

  it('refuses a truncated file at any cut point', () => {
    const text = fixtureText('pvm-host.json')
    for (const cut of [1, 100, 5000, text.length - 3])
      expectInputError(() => parseRunReportText(text.slice(0, cut), 'run.json'), /run\.json: file is truncated/)
  })

  it('refuses an empty file and non-JSON', () => {
    expectInputError(() => parseRunReportText('', 'e.json'), /e\.json: file is empty/)
    expectInputError(() => parseRunReportText('  \n', 'w.json'), /w\.json: not JSON \(the file holds only whitespace\)/)
    expectInputError(() => parseRunReportText('hello', 'h.json'), /h\.json: not valid JSON/)
  })

  it('points a host snapshot at probe --from', () => {
    let hint: string | undefined
    try {
      validateRunReport({ format: 'virtcheck-host-snapshot', formatVersion: '1.0' }, 'snap.json')
    } catch (e) {
      hint = (e as InputFileError).hint
    }
    expect(hint).toContain('virtcheck probe --from snap.json')
    expectInputError(() => validateRunReport({ format: 'virtcheck-host-snapshot' }, 'snap.json'), /host snapshot, not a run report/)
  })

  it('refuses foreign JSON', () => {
    expectInputError(() => validateRunReport([1, 2], 'a.json'), /not a virtcheck run report/)
    expectInputError(() => validateRunReport({ name: 'package', version: '1.0.0' }, 'package.json'), /no "schema" field/)
    expectInputError(() => validateRunReport({ schema: 'hyperfine' }, 'h.json'), /its schema is "hyperfine"/)
  })

  it('refuses a newer major schema but accepts a newer minor with extra fields', () => {
    expectInputError(
      () => validateRunReport({ ...good(), schemaVersion: '2.0' }, 'new.json'),
      /schema 2\.0 is newer than this virtcheck reads \(1\.x\)/,
    )
    const newerMinor = { ...good(), schemaVersion: '1.7', futureField: { x: 1 } }
    expect(validateRunReport(newerMinor, 'm.json').schemaVersion).toBe('1.7')
    expectInputError(() => validateRunReport({ ...good(), schemaVersion: 'one' }, 'v.json'), /invalid schemaVersion/)
  })

  it('names the JSON path of a damaged field', () => {
    const data = good() as { results: Record<string, unknown>[]; findings: Record<string, unknown>[] }
    const stats = { ...(data.results[3]!['stats'] as object), ci95: [1] }
    data.results[3] = { ...data.results[3], stats }
    expectInputError(
      () => validateRunReport(data, 'd.json'),
      /d\.json: invalid run report: results\[3\]\.stats\.ci95: expected \[low, high\]/,
    )
    const noFix = good() as { findings: Record<string, unknown>[] }
    const idx = noFix.findings.findIndex((f) => f['status'] === 'fail')
    delete noFix.findings[idx]!['remediation']
    expectInputError(() => validateRunReport(noFix, 'f.json'), new RegExp(`findings\\[${idx}\\]\\.remediation: expected an object`))
    expectInputError(
      () => validateRunReport({ ...good(), results: [{ ...(good() as { results: object[] }).results[0], state: 'weird' }] }, 's.json'),
      /results\[0\]\.state: expected one of ok, failed/,
    )
    const ok = (good() as { results: Record<string, unknown>[] }).results.findIndex((r) => r['state'] === 'ok')
    const alongside = good() as { results: Record<string, unknown>[] }
    alongside.results[ok] = { ...alongside.results[ok], nativeAlongside: [1, 'x'] }
    expectInputError(() => validateRunReport(alongside, 'n.json'), new RegExp(`results\\[${ok}\\]\\.nativeAlongside`))
  })

  it('reports a missing or unreadable file in one line', async () => {
    await expect(readRunReport(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read run report: no such file/)
    await expect(readRunReport(dir)).rejects.toBeInstanceOf(InputFileError)
    const p = join(dir, 'trunc.json')
    writeFileSync(p, fixtureText('pvm-host.json').slice(0, 777))
    await expect(readRunReport(p)).rejects.toThrow(/file is truncated/)
  })
})
