/* Environment facts attached to env and summary lines. */
#include "vcwork.h"

#include <stdio.h>
#include <string.h>
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
  jb_str(b, "arch", vc_arch());
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  jb_int(b, "cpus", cpus > 0 ? cpus : 1);
  jb_str(b, "kernel", u.release);
  jb_str(b, "version", VCWORK_VERSION);
}
