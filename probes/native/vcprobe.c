/*
 * vcprobe: the few host facts Node cannot get by reading files, printed as one JSON object.
 *
 *   vcprobe cpuid   execute CPUID directly (raw VMX/SVM/hypervisor bits without root or the cpuid module)
 *   vcprobe kvm     open /dev/kvm, KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_CREATE_VM, KVM_CREATE_VCPU
 *   vcprobe userns  try unshare() of every namespace type in forked children, as this user and (as root) as nobody
 *   vcprobe all     the three above in one process: {"cpuid": ..., "kvm": ..., "userns": ...} (one spawn
 *                   instead of three is a third of a probe's time on a busy host)
 *
 * Static (gcc -O2 -static), no dependencies. x86-only parts compile away elsewhere. Failures are data:
 * every step reports "ok" or the errno name; the exit code is 0 unless the subcommand is unknown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/kvm.h>
#endif

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case ENOSPC: return "ENOSPC";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOSYS: return "ENOSYS";
    case EUSERS: return "EUSERS";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EEXIST: return "EEXIST";
    case EMFILE: return "EMFILE";
    default: return "EOTHER";
  }
}

#if defined(__x86_64__) || defined(__i386__)
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static int first_leaf = 1;
static void emit_leaf(unsigned leaf, unsigned sub) {
  unsigned r[4];
  cpuid(leaf, sub, r);
  printf("%s\n    \"0x%08x.%u\": [%u, %u, %u, %u]", first_leaf ? "" : ",", leaf, sub, r[0], r[1], r[2], r[3]);
  first_leaf = 0;
}

static int cmd_cpuid(void) {
  unsigned r[4];
  printf("{\n  \"arch\": \"x86_64\",\n  \"leaves\": {");
  cpuid(0, 0, r);
  unsigned max_basic = r[0];
  emit_leaf(0, 0);
  if (max_basic >= 1) emit_leaf(1, 0);
  if (max_basic >= 7) emit_leaf(7, 0);
  if (max_basic >= 0x21) emit_leaf(0x21, 0); /* Intel TDX guest signature */
  /* Hypervisor leaves: only meaningful with CPUID.1:ECX[31]; read the base and every 0x100-spaced
   * alternative up to 0x4000FF00 (a hypervisor that also offers another's enlightenments, e.g. KVM
   * with Hyper-V ones, puts its own signature at 0x40000100 or higher). A base counts only when its
   * EAX (max leaf) lies inside its own 0x100 block; out-of-range leaves echo other data. */
  cpuid(1, 0, r);
  if (r[2] & (1u << 31)) {
    for (unsigned base = 0x40000000; base <= 0x4000FF00; base += 0x100) {
      cpuid(base, 0, r);
      if (r[0] < base || r[0] > base + 0xff) continue;
      unsigned top = r[0] > base + 0x10 ? base + 0x10 : r[0];
      for (unsigned l = base; l <= top; l++) emit_leaf(l, 0);
    }
  }
  cpuid(0x80000000, 0, r);
  unsigned max_ext = r[0];
  emit_leaf(0x80000000, 0);
  if (max_ext >= 0x80000001) emit_leaf(0x80000001, 0);
  if (max_ext >= 0x8000000A) emit_leaf(0x8000000A, 0);
  if (max_ext >= 0x8000001F) emit_leaf(0x8000001F, 0);
  printf("\n  }\n}\n");
  return 0;
}
#else
static int cmd_cpuid(void) {
  struct utsname u;
  uname(&u);
  printf("{\"arch\": \"%s\", \"leaves\": {}, \"unsupported\": \"CPUID is an x86 instruction\"}\n", u.machine);
  return 0;
}
#endif

struct cap { const char *name; int id; };

static int cmd_kvm(const char *path) {
  printf("{\n  \"path\": \"%s\",\n", path);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    printf("  \"open\": \"%s\"\n}\n", errno_name(errno));
    return 0;
  }
  printf("  \"open\": \"ok\",\n");
  int api = ioctl(fd, KVM_GET_API_VERSION, 0);
  if (api < 0) printf("  \"apiVersion\": null,\n  \"apiError\": \"%s\",\n", errno_name(errno));
  else printf("  \"apiVersion\": %d,\n", api);
  static const struct cap caps[] = {
    {"IRQCHIP", KVM_CAP_IRQCHIP}, {"USER_MEMORY", KVM_CAP_USER_MEMORY}, {"NR_VCPUS", KVM_CAP_NR_VCPUS},
    {"MAX_VCPUS", KVM_CAP_MAX_VCPUS}, {"IOEVENTFD", KVM_CAP_IOEVENTFD}, {"IRQFD", KVM_CAP_IRQFD},
    {"SYNC_MMU", KVM_CAP_SYNC_MMU}, {"IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT},
#ifdef KVM_CAP_PIT2
    {"PIT2", KVM_CAP_PIT2},
#endif
#ifdef KVM_CAP_SPLIT_IRQCHIP
    {"SPLIT_IRQCHIP", KVM_CAP_SPLIT_IRQCHIP},
#endif
#ifdef KVM_CAP_TSC_CONTROL
    {"TSC_CONTROL", KVM_CAP_TSC_CONTROL},
#endif
#ifdef KVM_CAP_GET_TSC_KHZ
    {"GET_TSC_KHZ", KVM_CAP_GET_TSC_KHZ},
#endif
#ifdef KVM_CAP_NESTED_STATE
    {"NESTED_STATE", KVM_CAP_NESTED_STATE},
#endif
#ifdef KVM_CAP_X86_DISABLE_EXITS
    {"X86_DISABLE_EXITS", KVM_CAP_X86_DISABLE_EXITS},
#endif
#ifdef KVM_CAP_ARM_VM_IPA_SIZE
    {"ARM_VM_IPA_SIZE", KVM_CAP_ARM_VM_IPA_SIZE},
#endif
    {"VM_TYPES", 235}, /* KVM_CAP_VM_TYPES (6.8+); older headers lack the name */
  };
  printf("  \"caps\": {");
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    int v = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].id);
    printf("%s\"%s\": %d", i ? ", " : "", caps[i].name, v < 0 ? -1 : v);
  }
  printf("},\n");
  int vm = ioctl(fd, KVM_CREATE_VM, 0);
  if (vm < 0) {
    printf("  \"createVm\": \"%s\"\n}\n", errno_name(errno));
    close(fd);
    return 0;
  }
  printf("  \"createVm\": \"ok\",\n");
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  printf("  \"createVcpu\": \"%s\"\n}\n", vcpu < 0 ? errno_name(errno) : "ok");
  if (vcpu >= 0) close(vcpu);
  close(vm);
  close(fd);
  return 0;
}

/* Fork, optionally drop to nobody, unshare(flag); the child's exit code carries the errno. All children
 * start before any is waited for: creating (and tearing down) a network namespace takes milliseconds,
 * and one after another they were most of a probe's wall time. */
static pid_t start_unshare(int flag, int as_nobody) {
  pid_t pid = fork();
  if (pid == 0) {
    if (as_nobody) {
      if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(200);
    }
    _exit(unshare(flag) == 0 ? 0 : (errno & 0x7f));
  }
  return pid < 0 ? -errno : pid;
}

static const char *collect_unshare(pid_t pid) {
  if (pid < 0) return errno_name((int)-pid);
  int st = 0;
  if (waitpid(pid, &st, 0) < 0) return errno_name(errno);
  if (!WIFEXITED(st)) return "ECHILD";
  int code = WEXITSTATUS(st);
  if (code == 0) return "ok";
  if (code == 200) return "EDROP"; /* could not drop privileges */
  return errno_name(code);
}

static int cmd_userns(void) {
  static const struct { const char *name; int flag; } ns[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET},
    {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"cgroup", CLONE_NEWCGROUP},
#ifdef CLONE_NEWTIME
    {"time", CLONE_NEWTIME},
#endif
  };
  enum { N = sizeof ns / sizeof ns[0] };
  uid_t uid = getuid();
  fflush(stdout); /* children must not inherit unflushed output */
  pid_t pids[N];
  for (size_t i = 0; i < N; i++) pids[i] = start_unshare(ns[i].flag, 0);
  /* As root, "can I create a user namespace" says nothing about unprivileged users: ask as nobody. */
  pid_t unpriv = start_unshare(CLONE_NEWUSER, uid == 0);
  printf("{\n  \"uid\": %u,\n  \"asSelf\": {", (unsigned)uid);
  for (size_t i = 0; i < N; i++) printf("%s\"%s\": \"%s\"", i ? ", " : "", ns[i].name, collect_unshare(pids[i]));
  printf("},\n");
  printf("  \"unprivilegedUser\": \"%s\",\n  \"unprivilegedTestedAs\": %u\n}\n", collect_unshare(unpriv), uid == 0 ? 65534u : (unsigned)uid);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "cpuid") == 0) return cmd_cpuid();
  if (argc >= 2 && strcmp(argv[1], "kvm") == 0) return cmd_kvm(argc >= 3 ? argv[2] : "/dev/kvm");
  if (argc >= 2 && strcmp(argv[1], "userns") == 0) return cmd_userns();
  if (argc >= 2 && strcmp(argv[1], "all") == 0) {
    printf("{\"cpuid\": ");
    cmd_cpuid();
    printf(", \"kvm\": ");
    cmd_kvm("/dev/kvm");
    printf(", \"userns\": ");
    fflush(stdout); /* the userns children must not inherit unflushed output */
    cmd_userns();
    printf("}\n");
    return 0;
  }
  fprintf(stderr, "usage: vcprobe cpuid | kvm [/dev/kvm] | userns | all\n");
  return 2;
}
