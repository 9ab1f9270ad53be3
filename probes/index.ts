/** The probe catalog, in display order of their areas. */
import type { Probe } from './types.js'
import { cgroupsProbe } from './cgroups.js'
import { confidentialProbe } from './confidential.js'
import { containerKernelProbe } from './container-kernel.js'
import { cpuVirtProbe } from './cpu-virt.js'
import { devicesProbe } from './devices.js'
import { environmentProbe } from './environment.js'
import { iommuProbe } from './iommu.js'
import { kvmCapabilityProbe } from './kvm.js'
import { memoryProbe } from './memory.js'
import { namespacesProbe } from './namespaces.js'
import { osFeaturesProbe } from './os-features.js'
import { slatProbe } from './slat.js'
import { softwareProbe } from './software.js'
import { sriovProbe } from './sriov.js'

export const PROBES: readonly Probe[] = [
  environmentProbe,
  cpuVirtProbe,
  slatProbe,
  kvmCapabilityProbe,
  iommuProbe,
  sriovProbe,
  confidentialProbe,
  memoryProbe,
  cgroupsProbe,
  namespacesProbe,
  devicesProbe,
  softwareProbe,
  osFeaturesProbe,
  containerKernelProbe,
]

export type { Probe } from './types.js'
