/**
 * Coloured text that can still be measured: a cell is a list of segments, laid out by their plain
 * width and painted only when printed, so colour never breaks alignment and NO_COLOR output is identical.
 */
import type { ChalkInstance } from 'chalk'
import { cutText } from './safe-text.js'

export type Paint = 'green' | 'yellow' | 'red' | 'redBold' | 'cyan' | 'dim' | 'bold'

export interface Segment {
  readonly text: string
  readonly paint?: Paint
}

export type Line = readonly Segment[]

export const plainText = (line: Line): string => line.map((s) => s.text).join('')
export const lineWidth = (line: Line): number => [...plainText(line)].length

export const paintSegment = (chalk: ChalkInstance, s: Segment): string => {
  switch (s.paint) {
    case undefined:
      return s.text
    case 'redBold':
      return chalk.red.bold(s.text)
    default:
      return chalk[s.paint](s.text)
  }
}

export const paintLine = (chalk: ChalkInstance, line: Line): string => line.map((s) => paintSegment(chalk, s)).join('')

/** Pad a line to `width` columns (left-aligned) or right-align it. */
export const padLine = (line: Line, width: number, align: 'left' | 'right' = 'left'): Line => {
  const gap = Math.max(0, width - lineWidth(line))
  if (gap === 0) return line
  return align === 'left' ? [...line, { text: ' '.repeat(gap) }] : [{ text: ' '.repeat(gap) }, ...line]
}

/** Cut a line to at most `width` columns, ending in an ellipsis when cut. */
export const clipLine = (line: Line, width: number, unicode: boolean): Line => {
  if (lineWidth(line) <= width) return line
  const ell = unicode ? '…' : '.'
  const out: Segment[] = []
  let left = width - ell.length
  for (const s of line) {
    if (left <= 0) break
    const take = cutText(s.text, left)
    out.push({ ...s, text: take })
    left -= Math.min([...s.text].length, left)
  }
  const last = out[out.length - 1]
  out.push({ text: ell, ...(last?.paint ? { paint: last.paint } : {}) })
  return out
}

/**
 * Split columns into groups that fit `width` next to a repeated first column (wide matrices wrap
 * into column groups instead of overflowing the terminal).
 */
export const packColumns = (firstWidth: number, widths: readonly number[], width: number, gap: number): number[][] => {
  const groups: number[][] = []
  let current: number[] = []
  let used = firstWidth
  widths.forEach((w, i) => {
    if (current.length > 0 && used + gap + w > width) {
      groups.push(current)
      current = []
      used = firstWidth
    }
    current.push(i)
    used += gap + w
  })
  if (current.length > 0) groups.push(current)
  return groups
}
