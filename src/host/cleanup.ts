/**
 * Never leave debris (docs/architecture.md, principle 11): everything that creates a VM, network namespace, tap/veth,
 * cgroup, mount or temp dir registers its undo here first. Undo runs in reverse order on success,
 * failure and SIGINT/SIGTERM; each step is bounded and a failing step does not stop the others.
 */
import type { Cleanup } from '../core/cleanup.js'

export interface CleanupStep {
  readonly label: string
  readonly undo: () => Promise<void>
}

export interface CleanupReport {
  readonly done: readonly string[]
  readonly failed: readonly { label: string; error: string }[]
}

const STEP_TIMEOUT_MS = 10_000

export class CleanupRegistry implements Cleanup {
  private steps: { id: number; step: CleanupStep }[] = []
  private nextId = 1

  /** Register an undo; returns a function that runs it now (and deregisters it). */
  add(label: string, undo: () => Promise<void>): () => Promise<void> {
    const id = this.nextId++
    this.steps.push({ id, step: { label, undo } })
    return async () => {
      const entry = this.steps.find((s) => s.id === id)
      if (!entry) return
      this.steps = this.steps.filter((s) => s.id !== id)
      await runStep(entry.step)
    }
  }

  get pending(): readonly string[] {
    return this.steps.map((s) => s.step.label)
  }

  /** Run every pending undo, newest first. */
  async runAll(): Promise<CleanupReport> {
    const steps = this.steps.reverse()
    this.steps = []
    const done: string[] = []
    const failed: { label: string; error: string }[] = []
    for (const { step } of steps) {
      try {
        await runStep(step)
        done.push(step.label)
      } catch (e) {
        failed.push({ label: step.label, error: e instanceof Error ? e.message : String(e) })
      }
    }
    return { done, failed }
  }
}

const runStep = async (step: CleanupStep): Promise<void> => {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      step.undo(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cleanup step "${step.label}" timed out`)), STEP_TIMEOUT_MS)
      }),
    ])
  } finally {
    if (timer) clearTimeout(timer)
  }
}
