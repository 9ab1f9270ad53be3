/**
 * Structural validation of a RunReport (the semantics of docs/schema/run-report.schema.json), written
 * by hand so reading needs no schema library. Unknown extra properties and unknown tier ids / finding
 * areas are accepted: minor schema versions are additive, and renderers cope with ids they do not know.
 */
import { STATUSES } from '../core/finding.js'
import type { RunReport } from '../core/report.js'
import {
  CheckError,
  arr,
  bool,
  isObj,
  join,
  num,
  numArr,
  obj,
  oneOf,
  optArr,
  optNum,
  optStr,
  pair,
  scalarRecord,
  str,
  strArr,
  type Obj,
} from './check.js'

const TIER_ID = /^[a-z0-9][a-z0-9.-]*$/
const RUN_STATES = ['completed', 'failed', 'not-ready', 'skipped', 'interrupted'] as const
const MODES = ['quick', 'full', 'custom', 'probe-only'] as const
const BETTER = ['higher', 'lower'] as const

const tierId = (o: Obj, key: string, path: string): string => {
  const v = str(o, key, path)
  if (!TIER_ID.test(v)) throw new CheckError(join(path, key), `not a tier id: ${JSON.stringify(v)}`)
  return v
}

const each = (items: readonly unknown[], path: string, check: (o: Obj, p: string) => void): void =>
  items.forEach((item, i) => check(obj(item, `${path}[${i}]`), `${path}[${i}]`))

const remediation = (o: Obj, p: string): void => {
  str(o, 'summary', p)
  const cmds = optArr(o, 'commands', p)
  if (cmds) strArr(o, 'commands', p)
  optStr(o, 'docs', p)
}

const finding = (o: Obj, p: string): void => {
  str(o, 'id', p)
  str(o, 'area', p)
  str(o, 'title', p)
  str(o, 'summary', p)
  const status = oneOf(o, 'status', p, STATUSES)
  each(arr(o, 'evidence', p), join(p, 'evidence'), (e, ep) => {
    str(e, 'source', ep)
    str(e, 'observed', ep)
  })
  if (status === 'warn' || status === 'fail') remediation(obj(o['remediation'], join(p, 'remediation')), join(p, 'remediation'))
  else if (o['remediation'] !== undefined) remediation(obj(o['remediation'], join(p, 'remediation')), join(p, 'remediation'))
  if (o['bug'] !== undefined) {
    const b = obj(o['bug'], join(p, 'bug'))
    str(b, 'name', join(p, 'bug'))
    str(b, 'message', join(p, 'bug'))
  }
  if (o['facts'] !== undefined) scalarRecord(o, 'facts', p, true)
}

const readiness = (o: Obj, p: string): void => {
  tierId(o, 'tier', p)
  str(o, 'summary', p)
  if (bool(o, 'ready', p)) {
    if (o['notes'] !== undefined) strArr(o, 'notes', p)
    optStr(o, 'provedBy', p)
  } else {
    strArr(o, 'blockedBy', p)
    remediation(obj(o['remediation'], join(p, 'remediation')), join(p, 'remediation'))
    optStr(o, 'logTail', p)
  }
}

const tierRun = (o: Obj, p: string): void => {
  tierId(o, 'tier', p)
  oneOf(o, 'state', p, RUN_STATES)
  optStr(o, 'reason', p)
  scalarRecord(o, 'config', p)
  optNum(o, 'bootMs', p, { min: 0 })
  optNum(o, 'firstJobMs', p, { min: 0 })
  optNum(o, 'overheadRssBytes', p, { min: 0 })
  num(o, 'durationMs', p, { min: 0 })
  optStr(o, 'logTail', p)
}

const stats = (o: Obj, p: string): void => {
  num(o, 'n', p, { min: 0, integer: true })
  for (const k of ['median', 'mean', 'min', 'max']) num(o, k, p)
  num(o, 'stddev', p, { min: 0 })
  num(o, 'cv', p, { min: 0 })
  pair(o, 'ci95', p)
}

const result = (o: Obj, p: string): void => {
  tierId(o, 'tier', p)
  str(o, 'job', p)
  str(o, 'metric', p)
  str(o, 'unit', p)
  oneOf(o, 'better', p, BETTER)
  scalarRecord(o, 'params', p)
  const samples = numArr(o, 'samples', p)
  const better = o['better']
  const state = oneOf(o, 'state', p, ['ok', 'failed'] as const)
  // every vcwork metric is a rate, a size or a time: never negative; a time (lower is better) of 0 is
  // no measurement (it would make every ratio infinite); a measured cell has at least one sample
  samples.forEach((v, i) => {
    if (v < 0) throw new CheckError(`${join(p, 'samples')}[${i}]`, `a sample cannot be negative, got ${v}`)
    if (v === 0 && better === 'lower') throw new CheckError(`${join(p, 'samples')}[${i}]`, 'a time or latency sample cannot be 0')
  })
  if (state === 'ok') {
    if (samples.length === 0) throw new CheckError(join(p, 'samples'), 'a measured (ok) result needs at least one sample')
    stats(obj(o['stats'], join(p, 'stats')), join(p, 'stats'))
    if (o['ratioToNative'] !== undefined) {
      const r = obj(o['ratioToNative'], join(p, 'ratioToNative'))
      num(r, 'value', join(p, 'ratioToNative'))
      pair(r, 'ci95', join(p, 'ratioToNative'))
    }
    if (o['nativeAlongside'] !== undefined) numArr(o, 'nativeAlongside', p)
    strArr(o, 'flags', p)
  } else {
    str(o, 'error', p)
    optStr(o, 'logTail', p)
  }
}

const warning = (o: Obj, p: string): void => {
  str(o, 'code', p)
  str(o, 'message', p)
  for (const k of ['hint', 'job', 'metric']) optStr(o, k, p)
  if (o['tier'] !== undefined) tierId(o, 'tier', p)
}

const host = (o: Obj, p: string): void => {
  for (const k of ['hostname', 'cpuModel', 'kernel', 'distro', 'arch', 'virtRole', 'nodeVersion']) str(o, k, p)
  num(o, 'cpuCores', p, { min: 0, integer: true })
  num(o, 'memoryBytes', p, { min: 0 })
  optStr(o, 'clocksource', p)
}

/** Validates everything below the header (schema id and version are checked by the reader first). */
export const checkRunReportBody = (data: Obj): RunReport => {
  const tool = obj(data['tool'], 'tool')
  if (tool['name'] !== 'virtcheck') throw new CheckError('tool.name', `expected "virtcheck", got ${JSON.stringify(tool['name'])}`)
  str(tool, 'version', 'tool')
  str(data, 'startedAt', '')
  str(data, 'finishedAt', '')
  bool(data, 'partial', '')
  optStr(data, 'label', '')
  host(obj(data['host'], 'host'), 'host')
  each(arr(data, 'findings', ''), 'findings', finding)
  each(arr(data, 'readiness', ''), 'readiness', readiness)
  each(arr(data, 'tiers', ''), 'tiers', tierRun)
  each(arr(data, 'results', ''), 'results', result)
  each(arr(data, 'warnings', ''), 'warnings', warning)
  const rep = obj(data['reproduce'], 'reproduce')
  strArr(rep, 'argv', 'reproduce')
  oneOf(rep, 'mode', 'reproduce', MODES)
  scalarRecord(rep, 'settings', 'reproduce')
  const versions = scalarRecord(rep, 'versions', 'reproduce')
  for (const [k, v] of Object.entries(versions))
    if (typeof v !== 'string') throw new CheckError(`reproduce.versions.${k}`, 'expected a string')
  return data as unknown as RunReport
}

export { isObj }
