/**
 * VFIO passthrough, tried for the kvm-vfio tier design (docs/tiers.md): the iommu-sriov machine, with
 * the NVMe controller unbound from nvme, bound to vfio-pci, and handed to a KVM guest (L2) booted
 * under kvm_amd with `-device vfio-pci,host=BDF`. The L2 guest's init lists its PCI functions, loads
 * nvme and reports whether the controller came up. Everything the attempt printed comes back, so
 * where it stops is on record.
 */
import type { LabHost } from '../host.js'
import { iommuSriov } from './iommu-sriov.js'
import { busyboxInitramfs } from '../run-host.js'

export const L2_MARK = 'L2-VFIO'

const L2_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "${L2_MARK} up uptime=$(cut -d' ' -f1 /proc/uptime)"
for d in /sys/bus/pci/devices/*; do echo "${L2_MARK} pci \${d##*/} $(cat $d/vendor):$(cat $d/device)"; done
while read m; do insmod "/lib/modules/$m" || echo "${L2_MARK} insmod $m failed"; done < /etc/lab/modules
i=0; while [ ! -e /sys/class/nvme/nvme0 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done
if [ -e /sys/class/nvme/nvme0 ]; then
  echo "${L2_MARK} nvme0 model=$(cat /sys/class/nvme/nvme0/model) serial=$(cat /sys/class/nvme/nvme0/serial) state=$(cat /sys/class/nvme/nvme0/state)"
else
  echo "${L2_MARK} no nvme controller came up"
fi
dmesg | grep -i -E 'nvme|dmar|iommu' | tail -n 12 | sed "s/^/${L2_MARK} dmesg /"
echo "${L2_MARK} done"
poweroff -f
`

/** Runs in the lab host as root: bind the NVMe PF to vfio-pci and boot L2 with it. */
const ATTEMPT = [
  'set -u',
  'PF=; for d in /sys/bus/pci/devices/*; do [ "$(cat $d/vendor):$(cat $d/device)" = 0x1b36:0x0010 ] && PF=${d##*/}; done',
  'echo "PF=$PF"; [ -n "$PF" ] || exit 3',
  'D=/sys/bus/pci/devices/$PF',
  'echo "group=$(basename $(readlink $D/iommu_group)) driver=$(basename $(readlink $D/driver 2>/dev/null) 2>/dev/null)"',
  '[ -e $D/driver ] && echo $PF > $D/driver/unbind',
  'echo vfio-pci > $D/driver_override && echo $PF > /sys/bus/pci/drivers_probe',
  'echo "now driver=$(basename $(readlink $D/driver))"; ls -l /dev/vfio/',
  `timeout -s KILL 300 qemu-system-x86_64 -name lab-l2-vfio -machine q35 -accel kvm -cpu host -smp 1 -m 512 -bios /usr/share/qemu/qboot.rom -nodefaults -no-user-config -display none -no-reboot -serial stdio -kernel "$LAB_GUEST_KERNEL" -initrd /lab-out/l2-initrd.cpio -append 'console=ttyS0 quiet panic=-1 cryptomgr.notests' -device vfio-pci,host=$PF 2>&1`,
  'echo "qemu rc=$?"',
].join('\n')

/**
 * Runs after ATTEMPT: give the PF back to nvme, give secondary controller 1 (the first VF) queue and
 * interrupt resources with nvme-cli, enable 1 VF, bring it online, bind the VF to vfio-pci and boot
 * L2 with it.
 */
const ATTEMPT_VF = [
  'set -u',
  'PF=; for d in /sys/bus/pci/devices/*; do [ "$(cat $d/vendor):$(cat $d/device)" = 0x1b36:0x0010 ] && [ -e $d/sriov_totalvfs ] && PF=${d##*/}; done',
  'D=/sys/bus/pci/devices/$PF; echo "PF=$PF"',
  '[ -e $D/driver ] && echo $PF > $D/driver/unbind; echo > $D/driver_override; echo $PF > /sys/bus/pci/drivers_probe',
  'i=0; while [ ! -e /dev/nvme0 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done; echo "PF driver=$(basename $(readlink $D/driver))"',
  'nvme list-secondary /dev/nvme0 2>&1 | head -20',
  'nvme virt-mgmt /dev/nvme0 -c 1 -r 0 -n 2 -a 8 2>&1; nvme virt-mgmt /dev/nvme0 -c 1 -r 1 -n 1 -a 8 2>&1',
  'echo 0 > $D/sriov_drivers_autoprobe; echo 1 > $D/sriov_numvfs; echo "numvfs=$(cat $D/sriov_numvfs)"',
  'nvme virt-mgmt /dev/nvme0 -c 1 -a 9 2>&1',
  'VF=$(basename $(readlink $D/virtfn0)); V=/sys/bus/pci/devices/$VF; echo "VF=$VF group=$(basename $(readlink $V/iommu_group))"',
  'echo vfio-pci > $V/driver_override && echo $VF > /sys/bus/pci/drivers_probe; echo "VF driver=$(basename $(readlink $V/driver))"; ls -l /dev/vfio/',
  `timeout -s KILL 300 qemu-system-x86_64 -name lab-l2-vfio-vf -machine q35 -accel kvm -cpu host -smp 1 -m 512 -bios /usr/share/qemu/qboot.rom -nodefaults -no-user-config -display none -no-reboot -serial stdio -kernel "$LAB_GUEST_KERNEL" -initrd /lab-out/l2-initrd.cpio -append 'console=ttyS0 quiet panic=-1 cryptomgr.notests' -device vfio-pci,host=$VF 2>&1`,
  'echo "qemu rc=$?"',
].join('\n')

export const vfioPassthrough: LabHost = {
  ...iommuSriov,
  name: 'vfio-passthrough',
  summary: 'iommu-sriov machine: NVMe PF bound to vfio-pci and passed to a KVM guest (L2) under kvm_amd',
  setup: [],
  shareFiles: async ({ kernel, busybox }) => ({
    'l2-initrd.cpio': Buffer.concat(
      await busyboxInitramfs({ busybox, modulesDir: kernel.modulesDir!, modules: ['nvme'], init: L2_INIT, what: 'L2 vfio guest' }),
    ),
  }),
  runs: [
    { name: 'attempt', shell: ATTEMPT },
    { name: 'attempt-vf', shell: ATTEMPT_VF },
  ],
  timeoutS: 600,
  expect: [
    { kind: 'exit', run: 'attempt', code: 0 },
    {
      kind: 'custom',
      run: 'attempt',
      what: 'the KVM guest sees the passed-through NVMe controller and nvme binds to it',
      check: (out) =>
        new RegExp(`${L2_MARK} nvme0 model=`).test(out.stdout)
          ? undefined
          : `no nvme0 in L2; output tail: ${out.stdout.trim().split('\n').slice(-15).join(' | ')}`,
    },
    {
      kind: 'custom',
      run: 'attempt-vf',
      what: 'the KVM guest sees the SR-IOV VF and nvme brings its controller up',
      check: (out) =>
        new RegExp(`${L2_MARK} nvme0 model=`).test(out.stdout)
          ? undefined
          : `no nvme0 in L2; output tail: ${out.stdout.trim().split('\n').slice(-15).join(' | ')}`,
    },
  ],
}
