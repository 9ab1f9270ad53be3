/**
 * VIRTCHECK_HOME (or ./.virtcheck) is where runs, scratch disks and work folders go. A home that is a
 * file, read-only or not writable is a problem of the environment the user can fix, so it is a usage
 * error naming the folder (exit 2), found before anything is probed or measured — never a virtcheck bug.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { UsageError } from '../core/errors.js'
import { writeErrorText } from '../io/write-error.js'

const problem = (home: string, e: unknown): UsageError => {
  const code = (e as { code?: string }).code
  const why =
    code === 'ENOTDIR' || code === 'EEXIST'
      ? 'is a file, not a folder (or a parent is)'
      : code === 'EROFS'
        ? 'is on a read-only file system'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not writable'
          : writeErrorText(e)
  return new UsageError(`the virtcheck home ${home} ${why}`, 'set VIRTCHECK_HOME to a writable folder')
}

const notAFolder = () => Object.assign(new Error('not a folder'), { code: 'ENOTDIR' })

/** For commands that write there (bench, the default command, gate, ab): a writable folder, created if missing. */
export const checkHome = (home: string): void => {
  try {
    mkdirSync(home, { recursive: true })
    if (!statSync(home).isDirectory()) throw notAFolder()
    accessSync(home, constants.W_OK)
  } catch (e) {
    throw problem(home, e)
  }
}

/** For `cleanup`, which only reads and removes: a home that does not exist holds nothing; a file is refused. */
export const checkHomeToSearch = (home: string): void => {
  let st
  try {
    st = statSync(home)
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return
    throw problem(home, e)
  }
  if (!st.isDirectory()) throw problem(home, notAFolder())
}
