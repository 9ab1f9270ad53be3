/** Removing a tier's IO scratch files (named by scratchFileName) when its session closes. */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

export const removeScratchFiles = async (scratchDir: string, tier: string): Promise<void> => {
  const names = await readdir(scratchDir).catch(() => [] as string[])
  await Promise.all(names.filter((n) => n.startsWith(`vc-${tier}-`)).map((n) => rm(join(scratchDir, n), { force: true })))
}
