/**
 * Children that may fork (vcwork agents, QEMU, container launchers) run detached in their own process
 * group, so stopping one means signalling the whole group; a group that is already gone is not an error.
 */
export const killProcessGroup = (pid: number | undefined, signal: NodeJS.Signals): boolean => {
  if (pid === undefined || pid <= 0) return false
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}
