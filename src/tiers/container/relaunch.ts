/**
 * A container tier's agent may die during a job (the OOM killer ends vcwork). Then a fresh container
 * with the same limits runs the jobs still to come; when none can be started, `lost` says why the
 * remaining jobs cannot run. Shared by the built-in, OCI (docker/podman) and LXC tiers.
 */
export class RelaunchingContainer<C extends { readonly agent: { close(): Promise<void> } }> {
  /** The container that runs the next job. */
  current: C
  /** Set when the agent died and no fresh container could be started: why the remaining jobs cannot run. */
  lost: string | undefined
  private readonly launch: () => Promise<C>

  private constructor(launch: () => Promise<C>, first: C) {
    this.launch = launch
    this.current = first
  }

  static async start<C extends { readonly agent: { close(): Promise<void> } }>(launch: () => Promise<C>): Promise<RelaunchingContainer<C>> {
    return new RelaunchingContainer(launch, await launch())
  }

  /** After the agent died during a job: a fresh container for the jobs still to come; returns what to tell about it. */
  async relaunch(dead: C, why: string, signal: AbortSignal): Promise<string | undefined> {
    await dead.agent.close() // reaps what is left and deregisters it
    if (signal.aborted) {
      this.lost = `the container ended (${why}) and the run was interrupted`
      return undefined
    }
    try {
      this.current = await this.launch()
      return 'A fresh container with the same limits runs the remaining jobs.'
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      this.lost = `not run: the container ended during an earlier job (${why}) and could not be restarted: ${msg}`
      return `The container could not be restarted, so the remaining jobs fail: ${msg}`
    }
  }
}
