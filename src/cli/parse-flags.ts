/**
 * A thin layer over node:util parseArgs that turns its exceptions into one-line UsageErrors naming the
 * flag, and offers typed readers for numbers, lists and enums.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../core/errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>
  readonly positionals: string[]
}

/**
 * `--reps -1` → `--reps=-1`: parseArgs calls a value starting with `-` "ambiguous"; a negative number
 * after a flag that takes a value is that value, and then gets the flag's own range message.
 */
const joinNegativeValues = (args: readonly string[], options: Options): string[] => {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    const next = args[i + 1]
    const name = a.startsWith('--') ? a.slice(2) : undefined
    if (
      name !== undefined &&
      (options as Record<string, { type?: string }>)[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d|^-\.\d/.test(next)
    ) {
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

export const parseFlags = (command: string, args: readonly string[], options: Options, allowPositionals = false): Parsed => {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals, strict: true })
    return { values: values as Parsed['values'], positionals }
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e)
    throw new UsageError(
      `${command}: ${msg.split('\n')[0]}`,
      `see \`${command === 'virtcheck' ? 'virtcheck' : `virtcheck ${command}`} --help\``,
    )
  }
}

export const flagString = (p: Parsed, name: string): string | undefined => {
  const v = p.values[name]
  return typeof v === 'string' ? v : undefined
}

export const flagBool = (p: Parsed, name: string): boolean => p.values[name] === true

export const flagNumber = (
  command: string,
  p: Parsed,
  name: string,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined => {
  const raw = flagString(p, name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  const bad =
    raw.trim() === '' ||
    !Number.isFinite(n) ||
    (bounds.integer === true && !Number.isInteger(n)) ||
    (bounds.min !== undefined && n < bounds.min) ||
    (bounds.max !== undefined && n > bounds.max)
  if (bad) {
    const range = [bounds.min !== undefined ? `>= ${bounds.min}` : '', bounds.max !== undefined ? `<= ${bounds.max}` : '']
      .filter(Boolean)
      .join(' and ')
    throw new UsageError(
      `${command}: --${name} must be ${bounds.integer ? 'an integer' : 'a number'}${range ? ' ' + range : ''}, got ${JSON.stringify(raw)}`,
    )
  }
  return n
}

/** Comma-separated list checked against the allowed values. */
export const flagList = <T extends string>(command: string, p: Parsed, name: string, allowed: readonly T[]): T[] | undefined => {
  const raw = flagString(p, name)
  if (raw === undefined) return undefined
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length === 0) throw new UsageError(`${command}: --${name} needs at least one value`)
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      throw new UsageError(`${command}: unknown value ${JSON.stringify(item)} for --${name}`, `valid: ${allowed.join(', ')}`)
  }
  return items as T[]
}

export const flagEnum = <T extends string>(command: string, p: Parsed, name: string, allowed: readonly T[]): T | undefined => {
  const raw = flagString(p, name)
  if (raw === undefined) return undefined
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`${command}: --${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`)
  return raw as T
}
