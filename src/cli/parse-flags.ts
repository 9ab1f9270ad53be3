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

export const parseFlags = (command: string, args: readonly string[], options: Options, allowPositionals = false): Parsed => {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals, strict: true })
    return { values: values as Parsed['values'], positionals }
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e)
    throw new UsageError(`${command}: ${msg.split('\n')[0]}`, `see \`${command === 'virtcheck' ? 'virtcheck' : `virtcheck ${command}`} --help\``)
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
export const flagList = <T extends string>(
  command: string,
  p: Parsed,
  name: string,
  allowed: readonly T[],
): T[] | undefined => {
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
