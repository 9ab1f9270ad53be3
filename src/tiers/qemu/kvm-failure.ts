/**
 * Why a KVM guest did not come up, in words, from the backend serving /dev/kvm and how the guest
 * ended. kvm_pvm (paravirtual KVM, no VT-x/AMD-V underneath) runs only guests built for PVM: a
 * standard guest either hangs in early boot or QEMU aborts while setting up its vCPU, because PVM
 * refuses MSR writes that hardware KVM accepts (seen on kernel 6.18: "failed to set MSR 0x10a").
 */
import type { GuestEnd } from './guest-process.js'

export const explainKvmFailure = (backend: string, end: GuestEnd): string => {
  const served = `/dev/kvm is served by ${backend || 'an unknown module'}`
  if (backend !== 'kvm_pvm') return served
  const pvm = `${served}, which runs only guests built for PVM (CONFIG_PVM_GUEST)`
  if (end.kind === 'timed-out') return `${pvm}: a standard kernel hangs in early boot`
  if (end.signal === 'SIGABRT') return `${pvm}: QEMU's standard KVM vCPU setup is refused by PVM (MSR writes fail), so QEMU aborts`
  return `${pvm}: QEMU ${end.how} setting up a standard guest`
}
