/**
 * The JSON Schema in docs/ and the hand-written validator must agree: every property the schema
 * requires (at the top level and in each definition) is one the validator refuses to do without.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCHEMA_ID, SCHEMA_MAJOR } from '../../src/core/report.js'
import { validateRunReport } from '../../src/io/read-report.js'
import { fixtureText } from '../reports/helpers/fixtures.js'

interface Schema {
  required: string[]
  properties: Record<string, { const?: string; pattern?: string }>
  $defs: Record<string, { required?: string[] }>
}
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'schema', 'run-report.schema.json'), 'utf8')) as Schema
const fresh = (): Record<string, any> => JSON.parse(fixtureText('bare-metal-kvm.json')) // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where in the fixture an instance of each definition lives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const INSTANCES: Record<string, (d: Record<string, any>) => Record<string, unknown>> = {
  hostContext: (d) => d['host'],
  evidence: (d) => d['findings'][0]['evidence'][0],
  remediation: (d) => d['findings'].find((f: { status: string }) => f.status === 'warn')['remediation'],
  finding: (d) => d['findings'][0],
  tierReadiness: (d) => d['readiness'][0],
  tierRun: (d) => d['tiers'][0],
  stats: (d) => d['results'][0]['stats'],
  metricResult: (d) => d['results'][0],
  runWarning: () => ({}), // the bare-metal fixture has no warnings; checked separately below
}

describe('docs/schema/run-report.schema.json', () => {
  it('matches the core constants', () => {
    expect(schema.properties['schema']?.const).toBe(SCHEMA_ID)
    expect(schema.properties['schemaVersion']?.pattern).toBe(`^${SCHEMA_MAJOR}\\.[0-9]+$`)
  })

  it.each(schema.required)('top-level %s is required by the validator too', (key) => {
    const d = fresh()
    delete d[key]
    expect(() => validateRunReport(d, 'x.json')).toThrow()
  })

  const cases = Object.entries(schema.$defs).flatMap(([def, s]) => (s.required ?? []).map((key) => [def, key] as const))
  it.each(cases.filter(([def]) => def !== 'runWarning'))('%s.%s is required by the validator too', (def, key) => {
    const d = fresh()
    const target = INSTANCES[def]?.(d)
    expect(target, `no instance of ${def} in the fixture`).toBeDefined()
    delete target![key]
    expect(() => validateRunReport(d, 'x.json')).toThrow()
  })

  it('runWarning required fields are enforced', () => {
    for (const key of schema.$defs['runWarning']?.required ?? []) {
      const w: Record<string, string> = { code: 'noisy', message: 'm' }
      delete w[key]
      expect(() => validateRunReport({ ...fresh(), warnings: [w] }, 'x.json')).toThrow()
    }
  })
})
