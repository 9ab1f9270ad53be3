/** The CI smoke (`npm run lab:smoke`): the AMD-V + NPT host with one KVM tier job, and the IOMMU host's probe. */
import { describe } from 'vitest'
import { amdVNptSmoke } from './hosts/amd-v-npt.js'
import { iommuSriov } from './hosts/iommu-sriov.js'
import { labSuite } from './lab-suite.js'

describe('lab smoke', () => labSuite([amdVNptSmoke, iommuSriov]))
