/**
 * Interleaved tiers repeat together. Each tier of an interleaved group used to stop on its own
 * confidence target, so native could stop after 4 repetitions while the container ran 20: the
 * paired ratio then rested on 4 pairs, and on the shared development host its median swung by ±9%
 * between runs (docs/fidelity.md). With a gate, every tier votes after each repetition and the group
 * goes on while any tier still wants more, and stops as soon as one hits a hard limit (a budget, max
 * repetitions): every repetition keeps its partner. Pure: no clock, no I/O.
 */
import type { StopReason } from './adaptive.js'

/** A tier's wish after a repetition: more, done (its target is reached), or must stop (a limit). */
export type RoundVote = { readonly kind: 'more' } | { readonly kind: 'satisfied' } | { readonly kind: 'stop'; readonly reason: StopReason }

/** The group's decision for the round. */
export type RoundDecision = { readonly kind: 'more' } | { readonly kind: 'stop'; readonly reason: StopReason }

export interface GateSeat {
  /** Rounds in one whole rotation of the order (walk × seats): every tier first on every CPU once. */
  readonly rotation: number
  /** Resolves once every seated tier has voted this round (or left). */
  vote(v: RoundVote): Promise<RoundDecision>
  /** The tier ends (failed, interrupted, deadline): the others stop waiting for it. */
  leave(): void
}

export const decideRound = (votes: readonly RoundVote[]): RoundDecision => {
  const stop = votes.find((v): v is Extract<RoundVote, { kind: 'stop' }> => v.kind === 'stop')
  if (stop) return { kind: 'stop', reason: stop.reason }
  return votes.some((v) => v.kind === 'more') ? { kind: 'more' } : { kind: 'stop', reason: 'ci-reached' }
}

/**
 * Which seat goes first in round `round` (0-based): the order rotates once per walk of `walk` CPUs, so
 * over `count` walks every tier has been first on every CPU. With a fixed order native always ran
 * first in its round, right after the CPU changed; a 4-tier quick run then had all three containers
 * 1.04-1.24x native (fidelity-2026-12-04T0041Z), which no container can be. Pure.
 */
export const roundLeader = (round: number, count: number, walk = 1): number => Math.floor(round / Math.max(1, walk)) % count

/**
 * Seats for `count` tiers; take them all before the first vote. The first round's requests go out in
 * seat order; each later round's are released starting from its leader, so the tiers' requests reach
 * the shared turn queue in that order.
 */
export const roundGate = (count: number, walk = 1): GateSeat[] => {
  const seated = new Set<number>(Array.from({ length: count }, (_, i) => i))
  let ballots = new Map<number, { vote: RoundVote; resolve: (d: RoundDecision) => void }>()
  let settled = 0
  const settleIfComplete = () => {
    if (ballots.size === 0 || [...seated].some((i) => !ballots.has(i))) return
    const round = ballots
    ballots = new Map()
    settled++
    const decision = decideRound([...round.values()].map((b) => b.vote))
    const first = roundLeader(settled, count, walk)
    const order = [...round.keys()].sort((a, b) => ((a - first + count) % count) - ((b - first + count) % count))
    for (const i of order) round.get(i)!.resolve(decision)
  }
  return Array.from({ length: count }, (_, i) => ({
    rotation: Math.max(1, walk) * count,
    vote: (vote) =>
      new Promise<RoundDecision>((resolve) => {
        ballots.set(i, { vote, resolve })
        // settle after the caller has attached its continuation: the last voter resolving inside its own
        // call would otherwise resume after the others, whatever the order
        queueMicrotask(settleIfComplete)
      }),
    leave: () => {
      if (!seated.delete(i)) return
      queueMicrotask(settleIfComplete)
    },
  }))
}
