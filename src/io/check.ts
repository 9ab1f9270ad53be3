/**
 * A tiny structural checker for JSON we read from users: each function returns the value typed or
 * throws a CheckError naming the JSON path (`results[3].stats.ci95`). Extra properties are allowed
 * (minor schema versions are additive), missing or mistyped ones are not.
 */

export class CheckError extends Error {
  readonly path: string
  constructor(path: string, problem: string) {
    super(`${path || '(top level)'}: ${problem}`)
    this.name = 'CheckError'
    this.path = path
  }
}

export type Obj = Readonly<Record<string, unknown>>

const describe = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export const obj = (v: unknown, path: string): Obj => {
  if (!isObj(v)) throw new CheckError(path, `expected an object, got ${describe(v)}`)
  return v
}

export const str = (o: Obj, key: string, path: string): string => {
  const v = o[key]
  if (typeof v !== 'string') throw new CheckError(join(path, key), `expected a string, got ${v === undefined ? 'nothing' : describe(v)}`)
  return v
}

export const optStr = (o: Obj, key: string, path: string): string | undefined => (o[key] === undefined ? undefined : str(o, key, path))

export const num = (o: Obj, key: string, path: string, opts: { min?: number; integer?: boolean } = {}): number => {
  const v = o[key]
  const p = join(path, key)
  // JSON cannot carry NaN/Infinity; a null here is what JSON.stringify made of one, which we reject too.
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new CheckError(p, `expected a number, got ${v === undefined ? 'nothing' : describe(v)}`)
  if (opts.integer === true && !Number.isInteger(v)) throw new CheckError(p, `expected an integer, got ${v}`)
  if (opts.min !== undefined && v < opts.min) throw new CheckError(p, `expected >= ${opts.min}, got ${v}`)
  return v
}

export const optNum = (o: Obj, key: string, path: string, opts: { min?: number; integer?: boolean } = {}): number | undefined =>
  o[key] === undefined ? undefined : num(o, key, path, opts)

export const bool = (o: Obj, key: string, path: string): boolean => {
  const v = o[key]
  if (typeof v !== 'boolean')
    throw new CheckError(join(path, key), `expected true or false, got ${v === undefined ? 'nothing' : describe(v)}`)
  return v
}

export const oneOf = <T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T => {
  const v = str(o, key, path)
  if (!(allowed as readonly string[]).includes(v))
    throw new CheckError(join(path, key), `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`)
  return v as T
}

export const arr = (o: Obj, key: string, path: string): readonly unknown[] => {
  const v = o[key]
  if (!Array.isArray(v)) throw new CheckError(join(path, key), `expected an array, got ${v === undefined ? 'nothing' : describe(v)}`)
  return v
}

export const optArr = (o: Obj, key: string, path: string): readonly unknown[] | undefined =>
  o[key] === undefined ? undefined : arr(o, key, path)

export const strArr = (o: Obj, key: string, path: string): readonly string[] =>
  arr(o, key, path).map((v, i) => {
    if (typeof v !== 'string') throw new CheckError(`${join(path, key)}[${i}]`, `expected a string, got ${describe(v)}`)
    return v
  })

export const numArr = (o: Obj, key: string, path: string): readonly number[] =>
  arr(o, key, path).map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new CheckError(`${join(path, key)}[${i}]`, `expected a number, got ${describe(v)}`)
    return v
  })

export const pair = (o: Obj, key: string, path: string): readonly [number, number] => {
  const v = numArr(o, key, path)
  if (v.length !== 2) throw new CheckError(join(path, key), `expected [low, high], got ${v.length} numbers`)
  return [v[0] as number, v[1] as number]
}

/** A flat record of scalar values (settings, tier config, facts, params). */
export const scalarRecord = (o: Obj, key: string, path: string, allowNull = false): Obj => {
  const rec = obj(o[key], join(path, key))
  for (const [k, v] of Object.entries(rec)) {
    const ok = typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || (allowNull && v === null)
    if (!ok)
      throw new CheckError(join(join(path, key), k), `expected a string, number${allowNull ? ', null' : ''} or boolean, got ${describe(v)}`)
  }
  return rec
}

export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key)
