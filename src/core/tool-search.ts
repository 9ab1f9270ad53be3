/**
 * The one rule for finding a tool by name, shared by the probe (through `Host.toolPath`, by stat) and
 * the tiers (src/host/tool-path.ts, which spawn the absolute path found): the entries of $PATH first,
 * then the standard sbin/bin folders (a root shell under sudo or a service may lack /usr/sbin). So
 * the probe never calls a tool ready that the bench then cannot find, nor the reverse.
 */
export const STANDARD_TOOL_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const

/** Folders to search, in order: absolute $PATH entries (relative ones are never trusted), then the standard ones. */
export const toolSearchDirs = (pathVar: string | undefined): string[] => [
  ...new Set(
    [...(pathVar ?? '').split(':').filter((d) => d.startsWith('/')), ...STANDARD_TOOL_DIRS].map((d) => d.replace(/\/+$/, '') || '/'),
  ),
]
