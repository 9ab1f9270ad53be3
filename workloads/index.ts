/** Workload catalog entry point (one catalog per plug-in folder: docs/architecture.md). */
export { JOBS, jobById, jobNeeds, needsDisk, needsPeer, requestParams, sampleMismatch } from './catalog.js'
