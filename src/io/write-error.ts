/** What a failed write means, in words: a full disk is named as such. */
export const writeErrorText = (e: unknown): string => {
  const code = (e as { code?: string }).code
  return code === 'ENOSPC'
    ? 'disk full (no space left on device)'
    : code === 'EDQUOT'
      ? 'disk quota exceeded'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : code === 'ENOENT'
              ? 'the folder does not exist'
              : code === 'ENOTDIR' || code === 'EEXIST'
                ? 'a parent is not a directory'
                : (e as Error).message
}
