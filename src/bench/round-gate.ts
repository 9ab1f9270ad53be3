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

/** Seats for `count` tiers; take them all before the first vote. */
export const roundGate = (count: number): GateSeat[] => {
  const seated = new Set<number>(Array.from({ length: count }, (_, i) => i))
  let ballots = new Map<number, { vote: RoundVote; resolve: (d: RoundDecision) => void }>()
  const settleIfComplete = () => {
    if (ballots.size === 0 || [...seated].some((i) => !ballots.has(i))) return
    const round = ballots
    ballots = new Map()
    const decision = decideRound([...round.values()].map((b) => b.vote))
    for (const b of round.values()) b.resolve(decision)
  }
  return Array.from({ length: count }, (_, i) => ({
    vote: (vote) =>
      new Promise<RoundDecision>((resolve) => {
        ballots.set(i, { vote, resolve })
        settleIfComplete()
      }),
    leave: () => {
      if (!seated.delete(i)) return
      settleIfComplete()
    },
  }))
}
