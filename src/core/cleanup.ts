/**
 * What code that creates something (a VM, netns, cgroup, mount, temp dir) needs from the run's cleanup:
 * a place to register the undo first. The registry that runs the undos is src/host/cleanup.ts.
 */
export interface Cleanup {
  /** Register an undo; returns a function that runs it now (and deregisters it). */
  add(label: string, undo: () => Promise<void>): () => Promise<void>
}
