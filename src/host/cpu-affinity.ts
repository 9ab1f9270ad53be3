/**
 * The CPUs this process may run on (taskset, cpuset), as /proc/self/status lists them. Empty when it
 * cannot be read: callers then do not pin.
 */
import { readFile } from 'node:fs/promises'
import { allowedCpusFromStatus } from '../parse/cpu-list.js'

export const allowedCpus = async (): Promise<number[]> => allowedCpusFromStatus(await readFile('/proc/self/status', 'utf8').catch(() => ''))
