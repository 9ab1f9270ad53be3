/** Workload catalog entry point (DESIGN: one catalog per plug-in folder). */
export { JOBS, jobById, jobNeeds, needsDisk, needsPeer, requestParams, sampleMismatch } from './catalog.js'
