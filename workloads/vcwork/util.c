/* Timing, calibration, parameters, memory helpers shared by all jobs. */
#include "vcwork.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int64_t vc_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double vc_ms_since(int64_t t0) { return (double)(vc_now_ns() - t0) / 1e6; }

int vc_fail(vc_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, sizeof c->err, fmt, ap);
  va_end(ap);
  return -1;
}

static vc_param *param_slot(vc_ctx *c, const char *key) {
  for (int i = 0; i < c->nparams; i++)
    if (!strcmp(c->params[i].key, key)) return &c->params[i];
  if (c->nparams >= VC_MAX_PARAMS) return NULL;
  vc_param *p = &c->params[c->nparams++];
  memset(p, 0, sizeof *p);
  p->key = key;
  return p;
}

void vc_param_str(vc_ctx *c, const char *key, const char *v) {
  vc_param *p = param_slot(c, key);
  if (!p) return;
  p->kind = VP_STR;
  snprintf(p->str, sizeof p->str, "%s", v);
}

void vc_param_num(vc_ctx *c, const char *key, double v) {
  vc_param *p = param_slot(c, key);
  if (!p) return;
  p->kind = VP_NUM;
  p->num = v;
}

void vc_param_bool(vc_ctx *c, const char *key, int v) {
  vc_param *p = param_slot(c, key);
  if (!p) return;
  p->kind = VP_BOOL;
  p->b = v != 0;
}

double vc_target_ms(const vc_ctx *c, double full_default, double quick_default) {
  if (c->req->target_ms > 0) return c->req->target_ms;
  return c->req->quick ? quick_default : full_default;
}

double vc_size_mb(const vc_ctx *c, double full_default, double quick_default) {
  if (c->req->size_mb > 0) return c->req->size_mb;
  return c->req->quick ? quick_default : full_default;
}

double vc_mem_available_mb(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
  fclose(f);
  return kb > 0 ? kb / 1024.0 : -1;
}

static int read_line(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  if (!fgets(out, (int)cap, f)) {
    fclose(f);
    return -1;
  }
  fclose(f);
  out[strcspn(out, "\n")] = 0;
  return 0;
}

static long long parse_cache_size_kb(const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (end == s || v <= 0) return -1;
  if (*end == 'K') return v;
  if (*end == 'M') return v * 1024;
  if (*end == 'G') return v * 1024 * 1024;
  if (*end == 0) return v / 1024;
  return -1;
}

static long long llc_total_kb_from_sysfs(void) {
  /* highest-level data/unified cache of cpu0, times the number of distinct instances across CPUs */
  char path[256], buf[256];
  int best_level = -1;
  int best_index = -1;
  for (int i = 0; i < 16; i++) {
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (read_line(path, buf, sizeof buf)) continue;
    int level = atoi(buf);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (read_line(path, buf, sizeof buf) || !strcmp(buf, "Instruction")) continue;
    if (level > best_level) {
      best_level = level;
      best_index = i;
    }
  }
  if (best_index < 0) return -1;
  snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", best_index);
  if (read_line(path, buf, sizeof buf)) return -1;
  long long size = parse_cache_size_kb(buf);
  if (size <= 0) return -1;
  /* count distinct shared_cpu_list values */
  static char seen[64][256];
  int nseen = 0;
  long ncpu = sysconf(_SC_NPROCESSORS_CONF);
  if (ncpu < 1) ncpu = 1;
  for (long cpu = 0; cpu < ncpu && cpu < 4096; cpu++) {
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/cache/index%d/shared_cpu_list", cpu, best_index);
    if (read_line(path, buf, sizeof buf)) continue;
    int dup = 0;
    for (int k = 0; k < nseen; k++)
      if (!strcmp(seen[k], buf)) dup = 1;
    if (!dup && nseen < 64) snprintf(seen[nseen++], sizeof seen[0], "%s", buf);
  }
  if (nseen < 1) nseen = 1;
  return size * nseen;
}

long long vc_llc_total_kb(void) {
  /* read once per process: every request's summary line carries it, and sysfs is read for every CPU */
  static long long cached = -2;
  if (cached == -2) cached = llc_total_kb_from_sysfs();
  return cached;
}

double vc_cap_mb(vc_ctx *c, double mb, double frac) {
  double avail = vc_mem_available_mb();
  if (avail > 0 && mb > avail * frac) {
    vc_param_num(c, "requestedMb", mb);
    vc_param_bool(c, "capped", 1);
    fprintf(stderr, "vcwork: %.0f MiB requested, capped to %.0f MiB (%.0f%% of MemAvailable %.0f MiB)\n", mb,
            floor(avail * frac), frac * 100, avail);
    return floor(avail * frac);
  }
  return mb;
}

void *vc_alloc_pages(size_t bytes, int no_thp) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
#ifdef MADV_NOHUGEPAGE
  if (no_thp) madvise(p, bytes, MADV_NOHUGEPAGE);
#else
  (void)no_thp;
#endif
  return p;
}

void vc_free_pages(void *p, size_t bytes) {
  if (p) munmap(p, bytes);
}

uint64_t vc_rand64(uint64_t *s) {
  /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/*
 * Calibration: grow n until one batch takes at least 5% of the target (min 1 ms), time that n once more warm,
 * then size the timed batch at 1.05 x target so that noise rarely makes it short. Calibration is warm-up too.
 */
int vc_run_calibrated(vc_ctx *c, vc_batch_fn fn) {
  double target = c->target_ms;
  double floor_ms = target * 0.05 < 1 ? 1 : target * 0.05;
  long long n = 1;
  double ms = 0;
  for (;;) {
    int64_t t0 = vc_now_ns();
    if (fn(c, n)) return -1;
    ms = vc_ms_since(t0);
    if (ms >= floor_ms || n >= (1LL << 40)) break;
    n *= ms < floor_ms / 16 ? 8 : 2;
  }
  /* the first batches run cold (page faults, caches, frequency): measure the same n once more, warm */
  int64_t t1 = vc_now_ns();
  if (fn(c, n)) return -1;
  double ms2 = vc_ms_since(t1);
  if (ms2 < ms) ms = ms2;
  double per = ms / (double)n;
  long long final_n = per > 0 ? (long long)ceil(target * 1.05 / per) : n;
  if (final_n < 1) final_n = 1;
  int64_t t0 = vc_now_ns();
  if (fn(c, final_n)) return -1;
  c->duration_ms = vc_ms_since(t0);
  c->iterations = final_n;
  return 0;
}

int vc_cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
double vc_percentile_u32(uint32_t *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t rank = (size_t)ceil(p / 100.0 * (double)n);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

int vc_pin_to_cpu(int cpu, cpu_set_t *saved) {
  if (cpu < 0 || sched_getaffinity(0, sizeof *saved, saved) != 0) return 0;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return sched_setaffinity(0, sizeof one, &one) == 0;
}
