/** Every lab host, in the order the lab runs them. */
import type { LabHost } from '../host.js'
import { amdVNoNpt } from './amd-v-no-npt.js'
import { amdVNpt } from './amd-v-npt.js'
import { cgroupV2 } from './cgroup-v2.js'
import { iommuSriov } from './iommu-sriov.js'
import { noKvmNoTun } from './no-kvm-no-tun.js'
import { noVirt } from './no-virt.js'

export const LAB_HOSTS: readonly LabHost[] = [amdVNpt, amdVNoNpt, noVirt, iommuSriov, cgroupV2, noKvmNoTun]

/** Hosts run by name only (`npx tsx test/lab/run-one.ts NAME`): attempts whose outcome is documented, not asserted by the lab. */
export { vfioPassthrough } from './vfio-passthrough.js'
