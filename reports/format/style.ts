/**
 * Presentation is decided once (docs/architecture.md, principle 6): colour level, unicode and width from flags, TTY,
 * NO_COLOR / FORCE_COLOR and TERM, then passed down to every renderer. Renderers never import global chalk.
 */
import { Chalk, type ChalkInstance } from 'chalk'

export interface Style {
  /** 0 = no colour, 1 = 16 colours, 2 = 256, 3 = truecolor. */
  readonly colorLevel: 0 | 1 | 2 | 3
  readonly unicode: boolean
  /** Terminal width in columns (renderers must fit it; default 100 when not a TTY). */
  readonly width: number
  readonly chalk: ChalkInstance
}

export interface StyleInputs {
  readonly isTTY: boolean
  readonly columns?: number
  readonly env: Readonly<Record<string, string | undefined>>
  /** --color / --no-color; undefined means auto. */
  readonly colorFlag?: boolean
}

export const resolveStyle = (i: StyleInputs): Style => {
  const env = i.env
  const dumb = env['TERM'] === 'dumb'
  let level: 0 | 1 | 2 | 3
  if (i.colorFlag === false || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '')) level = 0
  else if (i.colorFlag === true || (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0')) level = i.isTTY ? 3 : 1
  else level = i.isTTY && !dumb ? (env['COLORTERM'] === 'truecolor' ? 3 : 2) : 0
  const unicode = !dumb && !/^(C|POSIX)$/.test(env['LC_ALL'] ?? env['LANG'] ?? 'en_US.UTF-8')
  const width = Math.max(60, Math.min(i.columns ?? 100, 200))
  return { colorLevel: level, unicode, width, chalk: new Chalk({ level }) }
}

/** A fixed plain style for tests and for files written to disk. */
export const plainStyle = (width = 100): Style => ({ colorLevel: 0, unicode: true, width, chalk: new Chalk({ level: 0 }) })
