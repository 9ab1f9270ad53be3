/** Seeded randomness for resampling and simulations; the generator itself lives in core. */
import { mulberry32, type Rng } from '../core/prng.js'

export { mulberry32, type Rng }

/** Standard normal deviate (Box–Muller) from a uniform source. */
export const gaussian = (rng: Rng): number => {
  let u = 0
  while (u === 0) u = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng())
}
