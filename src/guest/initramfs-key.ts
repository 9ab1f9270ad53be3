/**
 * Pure: the content hash that names a cached initramfs. Every input that ends up in the image is
 * part of it (file contents by sha256, the init script, the module load order, the format version),
 * so an image is rebuilt exactly when one of them changes.
 */
import { createHash } from 'node:crypto'

/** Bump when the image layout changes in a way the inputs do not capture. */
export const INITRAMFS_FORMAT = 1

export interface InitramfsInputs {
  /** Archive path -> sha256 of its content. */
  readonly files: Readonly<Record<string, string>>
  readonly initScript: string
  readonly moduleOrder: readonly string[]
}

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')

export const initramfsKey = (inputs: InitramfsInputs): string => {
  const files = Object.keys(inputs.files)
    .sort()
    .map((k) => `${k}=${inputs.files[k]}`)
  return sha256(JSON.stringify({ v: INITRAMFS_FORMAT, files, init: sha256(inputs.initScript), modules: inputs.moduleOrder }))
}

/** Cached image file name for a key. */
export const initramfsFileName = (key: string): string => `${key.slice(0, 32)}.cpio`
