/**
 * Resolve a tool the way the probe does (src/core/tool-search.ts): what a tier spawns is the absolute
 * path found here, and that path is what its config records.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { join } from 'node:path'
import { toolSearchDirs } from '../core/tool-search.js'

const executable = (p: string): boolean => {
  try {
    accessSync(p, constants.X_OK)
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** An absolute path for `name` (a name with a slash is taken as given), or undefined when there is none. */
export const resolveTool = (name: string, pathVar: string | undefined = process.env['PATH']): string | undefined => {
  if (name.includes('/')) return name
  for (const d of toolSearchDirs(pathVar)) if (executable(join(d, name))) return join(d, name)
  return undefined
}

/** The path to spawn: the resolved one, else the bare name (the spawn then fails as "not installed"). */
export const toolToSpawn = (name: string): string => resolveTool(name) ?? name
