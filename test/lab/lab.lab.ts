/** The whole lab: every lab host, each checked against its expected verdicts (`npm run lab`). */
import { describe } from 'vitest'
import { LAB_HOSTS } from './hosts/index.js'
import { labSuite } from './lab-suite.js'

describe('lab hosts', () => labSuite(LAB_HOSTS))
