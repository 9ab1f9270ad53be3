/** Workload catalog entry point (DESIGN: one catalog per plug-in folder). */
export { JOBS, jobById, requestParams, sampleMismatch } from './catalog.js'
