/** The workload catalog (workloads/index.ts) in the shape the planner needs. */
import { JOBS, requestParams } from '../../workloads/index.js'
import type { CatalogJob } from './plan.js'

const flat = (p: object): Record<string, string | number> =>
  Object.fromEntries(Object.entries(p).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'))

export const catalogForPlan = (): CatalogJob[] =>
  JOBS.map((j) => ({
    id: j.id,
    metrics: j.metrics.map((m) => ({ metric: m.id, unit: m.unit, better: m.better })),
    quickParams: flat(requestParams(j, 'quick').params),
    fullParams: flat(requestParams(j, 'full').params),
    needs: j.needs,
    ...(j.params.full.sizeFromHostLlc !== undefined ? { fullSizeFromHostLlc: j.params.full.sizeFromHostLlc } : {}),
  }))

export const JOB_ID_LIST: readonly string[] = JOBS.map((j) => j.id)
