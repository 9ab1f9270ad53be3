/*
 * mem.stream: STREAM copy/scale/add/triad (McCalpin's definitions and byte counts) on three double arrays.
 * Array size: each array >= 4 x the sum of all last-level caches (sysfs), unless --size-mb overrides it or
 * quick mode picks a smaller size; the sample params say which rule applied. Each repetition runs passes
 * until its target time is reached (at least 3), reports the best rate of each kernel excluding the first
 * pass, then verifies every element against the analytically expected value.
 */
#include "vcwork.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
#define MAX_PASSES 100 /* values grow 15x per pass; 15^100 is far from overflow */

/*
 * The three arrays live in one mapping, each starting STAGGER bytes further into its page than the one
 * before. Three page-aligned mappings of N MiB lie exactly N MiB apart, so a[j], b[j] and c[j] share every
 * address bit below N MiB (caches and predictors indexed by those bits see them collide): measured on the
 * development host (gcc 12 -O2, 256 MiB arrays, same scalar loops) scale/add/triad then ran at 0.5-0.6x
 * of malloc'd arrays while copy (memcpy) did not move; staggered, the same code matched
 * (benchmarks/stream-layout.c, paired in one process; benchmarks/results/stream-layout.txt). McCalpin's
 * STREAM has its OFFSET parameter for the same reason.
 */
#define STAGGER (4096 + 1024)

typedef struct {
  size_t n;
  size_t bytes;
  size_t map_bytes;
  void *map;
  double *a, *b, *c;
} stream_state;

static NOINLINE void k_copy(double *restrict c, const double *restrict a, size_t n) {
  for (size_t j = 0; j < n; j++) c[j] = a[j];
}
static NOINLINE void k_scale(double *restrict b, const double *restrict c, double s, size_t n) {
  for (size_t j = 0; j < n; j++) b[j] = s * c[j];
}
static NOINLINE void k_add(double *restrict c, const double *restrict a, const double *restrict b, size_t n) {
  for (size_t j = 0; j < n; j++) c[j] = a[j] + b[j];
}
static NOINLINE void k_triad(double *restrict a, const double *restrict b, const double *restrict c, double s,
                             size_t n) {
  for (size_t j = 0; j < n; j++) a[j] = b[j] + s * c[j];
}

static int stream_setup(vc_ctx *c) {
  stream_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  c->state = s;
  long long llc_kb = vc_llc_total_kb();
  double mb;
  const char *rule;
  if (c->req->size_mb > 0) {
    mb = c->req->size_mb;
    rule = "override";
  } else if (c->req->quick) {
    mb = 32;
    rule = "quick";
  } else if (llc_kb > 0) {
    mb = ceil(4.0 * (double)llc_kb / 1024.0);
    if (mb < 16) mb = 16;
    rule = "4xLLC";
  } else {
    mb = 128;
    rule = "default-no-llc-info";
  }
  mb = vc_cap_mb(c, mb, 0.6 / 3.0);
  if (mb < 1) return vc_fail(c, "not enough available memory for STREAM arrays");
  s->n = (size_t)(mb * 1048576.0 / sizeof(double));
  s->bytes = s->n * sizeof(double);
  s->map_bytes = 3 * s->bytes + 3 * STAGGER;
  s->map = vc_alloc_pages(s->map_bytes, 0);
  if (!s->map) return vc_fail(c, "cannot map 3 x %.0f MiB for STREAM arrays", mb);
  s->a = (double *)s->map;
  s->b = (double *)((char *)s->map + s->bytes + STAGGER);
  s->c = (double *)((char *)s->map + 2 * (s->bytes + STAGGER));
  vc_param_num(c, "arrayStaggerBytes", STAGGER);
  vc_param_num(c, "arrayMb", round(mb * 100) / 100);
  vc_param_num(c, "elements", (double)s->n);
  vc_param_str(c, "sizeRule", rule);
  if (llc_kb > 0) vc_param_num(c, "llcKb", (double)llc_kb);
  int below = llc_kb <= 0 || mb * 1024.0 < 4.0 * (double)llc_kb;
  vc_param_bool(c, "belowLlcRule", below);
  if (below)
    fprintf(stderr, "vcwork: mem.stream arrays of %.0f MiB are %s 4x the last-level cache; caches may inflate results\n",
            mb, llc_kb > 0 ? "smaller than" : "not known to be larger than");
  return 0;
}

static double secs_since(int64_t t0) { return (double)(vc_now_ns() - t0) / 1e9; }

static int stream_rep(vc_ctx *c, int rep) {
  (void)rep;
  stream_state *s = c->state;
  size_t n = s->n;
  double *a = s->a, *b = s->b, *cc = s->c;
  const double scalar = 3.0;
  for (size_t j = 0; j < n; j++) {
    a[j] = 1.0;
    b[j] = 2.0;
    cc[j] = 0.0;
  }
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  int passes = 0;
  int64_t start = vc_now_ns();
  while (passes < MAX_PASSES) {
    double t[4];
    int64_t t0 = vc_now_ns();
    k_copy(cc, a, n);
    t[0] = secs_since(t0);
    t0 = vc_now_ns();
    k_scale(b, cc, scalar, n);
    t[1] = secs_since(t0);
    t0 = vc_now_ns();
    k_add(cc, a, b, n);
    t[2] = secs_since(t0);
    t0 = vc_now_ns();
    k_triad(a, b, cc, scalar, n);
    t[3] = secs_since(t0);
    passes++;
    if (passes > 1) {
      for (int k = 0; k < 4; k++) best[k] = fmin(best[k], t[k]);
    }
    if (passes >= 3 && vc_ms_since(start) >= c->target_ms) break;
  }
  c->duration_ms = vc_ms_since(start);
  c->iterations = passes;
  vc_param_num(c, "passes", passes);

  /* verification: replay the scalar recurrence */
  double aj = 1.0, bj = 2.0, cj = 0.0;
  for (int k = 0; k < passes; k++) {
    cj = aj;
    bj = scalar * cj;
    cj = aj + bj;
    aj = bj + scalar * cj;
  }
  if (c->req->corrupt) a[n / 2] += aj * 1e-6;
  size_t bad = 0;
  for (size_t j = 0; j < n; j++) {
    if (fabs(a[j] - aj) > 1e-12 * aj || fabs(b[j] - bj) > 1e-12 * bj || fabs(cc[j] - cj) > 1e-12 * cj) bad++;
  }
  if (bad) return vc_fail(c, "verification failed: %zu of %zu elements differ from the expected STREAM values", bad, n);
  double bytes2 = 2.0 * (double)s->bytes, bytes3 = 3.0 * (double)s->bytes;
  c->values[0] = bytes2 / best[0] / 1e9;
  c->values[1] = bytes2 / best[1] / 1e9;
  c->values[2] = bytes3 / best[2] / 1e9;
  c->values[3] = bytes3 / best[3] / 1e9;
  return 0;
}

static void stream_teardown(vc_ctx *c) {
  stream_state *s = c->state;
  if (s && s->map) vc_free_pages(s->map, s->map_bytes);
  free(s);
  c->state = NULL;
}

static const vc_metric STREAM_METRICS[] = {
    {"copy", "GB/s", "higher"}, {"scale", "GB/s", "higher"}, {"add", "GB/s", "higher"}, {"triad", "GB/s", "higher"}};
const vc_job vc_job_mem_stream = {"mem.stream", STREAM_METRICS, 4, 0, stream_setup, stream_rep, stream_teardown};
