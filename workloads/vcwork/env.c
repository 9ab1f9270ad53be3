/* Environment facts attached to env and summary lines. */
#include "vcwork.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <unistd.h>

long long vc_steal_ticks(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  char line[512];
  long long v[8];
  long long steal = -1;
  if (fgets(line, sizeof line, f) &&
      sscanf(line, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
             &v[7]) == 8)
    steal = v[7];
  fclose(f);
  return steal;
}

const char *vc_arch(void) {
  static struct utsname u;
  static int done;
  if (!done) {
    if (uname(&u)) snprintf(u.machine, sizeof u.machine, "unknown");
    done = 1;
  }
  return u.machine;
}

void vc_env_fields(vc_jb *b) {
  struct utsname u;
  if (uname(&u)) memset(&u, 0, sizeof u);
  long long steal = vc_steal_ticks();
  if (steal >= 0) jb_int(b, "stealTicks", steal);
  char cs[64] = "";
  FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (f) {
    if (fgets(cs, sizeof cs, f)) cs[strcspn(cs, "\n")] = 0;
    fclose(f);
  }
  if (cs[0]) jb_str(b, "clocksource", cs);
  long long llc = vc_llc_total_kb();
  if (llc > 0) jb_int(b, "llcKb", llc);
  jb_str(b, "arch", vc_arch());
  if (vc_address_layout()[0]) jb_str(b, "addressLayout", vc_address_layout());
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  jb_int(b, "cpus", cpus > 0 ? cpus : 1);
  jb_str(b, "kernel", u.release);
  jb_str(b, "version", VCWORK_VERSION);
}

/*
 * Address layout: every vcwork process runs with the same one (address-space randomisation off for
 * itself, as `setarch -R` does). With a random layout per process, two long-lived agents of the SAME
 * binary differed by up to 9% on mem.stream add/triad for a whole run, and the container's ratio to
 * native carried that offset; with the layout fixed they agreed within 3% (docs/fidelity.md). Where
 * personality(2) is refused (a seccomp profile) or the binary cannot be executed again, the layout stays
 * random and addressLayout says so.
 */
static char g_layout[96] = ""; /* empty: this command did not check (vcwork env, version) */

void vc_fix_address_layout(char **argv) {
  int p = personality(0xffffffff);
  if (p != -1 && (p & ADDR_NO_RANDOMIZE)) {
    snprintf(g_layout, sizeof g_layout, "fixed");
    return;
  }
  const char *keep = getenv("VCWORK_ADDRESS_LAYOUT");
  if (keep && !strcmp(keep, "keep")) {
    snprintf(g_layout, sizeof g_layout, "randomized (VCWORK_ADDRESS_LAYOUT=keep)");
    return;
  }
  if (p == -1 || personality((unsigned long)p | ADDR_NO_RANDOMIZE) == -1) {
    snprintf(g_layout, sizeof g_layout, "randomized (personality refused: %s)", strerror(errno));
    return;
  }
  /* by its own path, not /proc/self/exe: the process name (comm, in ps and in the kernel's OOM lines)
     comes from the file executed and must stay "vcwork" */
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = 0;
    execv(self, argv);
  }
  int e = n > 0 ? errno : ENOENT;
  personality((unsigned long)p);
  snprintf(g_layout, sizeof g_layout, "randomized (re-exec of itself failed: %s)", strerror(e));
}

const char *vc_address_layout(void) { return g_layout; }
