/**
 * A depth cap for parsed input JSON. JSON.parse accepts any nesting, but every later walk over the
 * value (validation, the output sanitiser, JSON.stringify) recurses, so a file nested 50 000 levels
 * deep would end in a stack overflow reported as a virtcheck bug. No virtcheck file comes near the cap.
 */
export const MAX_JSON_DEPTH = 64

/** Why `data` is nested too deeply to be one of our files, or undefined. Iterative: it cannot overflow itself. */
export const jsonDepthProblem = (data: unknown, max: number = MAX_JSON_DEPTH): string | undefined => {
  const stack: [unknown, number][] = [[data, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return `JSON nested deeper than ${max} levels (not a virtcheck file)`
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1])
  }
  return undefined
}
