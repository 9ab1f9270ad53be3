/** `/proc/self/mountinfo` -> mounts (proc(5) format; optional fields end at the ` - ` separator). */

export interface Mount {
  readonly root: string
  readonly mountPoint: string
  readonly options: string
  readonly fsType: string
  readonly source: string
  readonly superOptions: string
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))

export const parseMountinfo = (text: string): Mount[] => {
  const out: Mount[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const sep = line.indexOf(' - ')
    if (sep < 0) continue
    const left = line.slice(0, sep).split(' ')
    const right = line.slice(sep + 3).split(' ')
    const [, , , root, mountPoint, options] = left
    const [fsType, source, superOptions] = right
    if (root === undefined || mountPoint === undefined || fsType === undefined) continue
    out.push({
      root: unescape(root),
      mountPoint: unescape(mountPoint),
      options: options ?? '',
      fsType,
      source: source ?? '',
      superOptions: superOptions ?? '',
    })
  }
  return out
}
