/**
 * A depth cap for parsed input JSON. JSON.parse accepts any nesting, but every later walk over the
 * value (validation, the output sanitiser, JSON.stringify) recurses, so a file nested 50 000 levels
 * deep would end in a stack overflow reported as a virtcheck bug. No virtcheck file comes near the cap.
 */
import { InputFileError } from '../core/errors.js'

export const MAX_JSON_DEPTH = 64

/** Why `data` is nested too deeply to be one of our files, or undefined. Iterative: it cannot overflow itself. */
const jsonDepthProblem = (data: unknown, max: number): string | undefined => {
  const stack: [unknown, number][] = [[data, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return `JSON nested deeper than ${max} levels (not a virtcheck file)`
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1])
  }
  return undefined
}

/** Refuses parsed JSON from the file `name` that is nested deeper than `max`: one InputFileError line (exit 2). */
export const checkJsonDepth = (data: unknown, name: string, max: number = MAX_JSON_DEPTH): void => {
  const tooDeep = jsonDepthProblem(data, max)
  if (tooDeep) throw new InputFileError(`${name}: ${tooDeep}`)
}
