/*
 * mmu.gups: HPCC RandomAccess (serial): 64-bit XOR updates at addresses from the POLY=7 LFSR stream over a
 *   power-of-two table far beyond TLB reach (4 KiB pages: transparent huge pages are turned off for it).
 *   Verification replays the same updates (XOR is its own inverse) and counts entries != index; HPCC
 *   accepts up to 1% errors.
 * mmu.pagefault: anonymous private mmap of a region, write one word per 4 KiB page (one minor fault each),
 *   munmap; faults/s. THP off so every page faults separately. Contents verified outside the timed part.
 */
#include "vcwork.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- mmu.gups ----------------------------------------------------------- */

#define POLY 0x0000000000000007ULL
#define PERIOD 1317624576693539401LL
#define LANES 128

typedef struct {
  uint64_t *table;
  uint64_t size; /* entries, power of two */
  size_t bytes;
  uint64_t ran[LANES];
} gups_state;

/* HPCC_starts: the n-th element of the LFSR stream */
static uint64_t hpcc_starts(int64_t n) {
  uint64_t m2[64];
  while (n < 0) n += PERIOD;
  while (n > PERIOD) n -= PERIOD;
  if (n == 0) return 0x1;
  uint64_t temp = 0x1;
  for (int i = 0; i < 64; i++) {
    m2[i] = temp;
    temp = (temp << 1) ^ ((int64_t)temp < 0 ? POLY : 0);
    temp = (temp << 1) ^ ((int64_t)temp < 0 ? POLY : 0);
  }
  int i;
  for (i = 62; i >= 0; i--)
    if ((n >> i) & 1) break;
  uint64_t ran = 0x2;
  while (i > 0) {
    temp = 0;
    for (int j = 0; j < 64; j++)
      if ((ran >> j) & 1) temp ^= m2[j];
    ran = temp;
    i -= 1;
    if ((n >> i) & 1) ran = (ran << 1) ^ ((int64_t)ran < 0 ? POLY : 0);
  }
  return ran;
}

static void gups_seed(gups_state *s) {
  uint64_t per_lane = (4 * s->size) / LANES;
  for (int j = 0; j < LANES; j++) s->ran[j] = hpcc_starts((int64_t)(per_lane * (uint64_t)j));
}

/* rounds x LANES updates */
static void gups_updates(gups_state *s, long long rounds) {
  uint64_t *t = s->table;
  uint64_t mask = s->size - 1;
  for (long long i = 0; i < rounds; i++) {
    for (int j = 0; j < LANES; j++) {
      uint64_t r = s->ran[j];
      r = (r << 1) ^ ((int64_t)r < 0 ? POLY : 0);
      s->ran[j] = r;
      t[r & mask] ^= r;
    }
  }
}

static int gups_setup(vc_ctx *c) {
  gups_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  c->state = s;
  double mb = vc_cap_mb(c, vc_size_mb(c, 256, 64), 0.5);
  uint64_t entries = 1;
  while ((double)(entries * 2 * 8) <= mb * 1048576.0) entries *= 2;
  if (entries < 1024) return vc_fail(c, "table too small (%.2f MiB)", mb);
  s->size = entries;
  s->bytes = entries * 8;
  s->table = vc_alloc_pages(s->bytes, 1);
  if (!s->table) return vc_fail(c, "cannot map a %zu-byte GUPS table", s->bytes);
  for (uint64_t i = 0; i < entries; i++) s->table[i] = i;
  vc_param_num(c, "tableMb", (double)s->bytes / 1048576.0);
  vc_param_str(c, "thp", "off");
  return 0;
}

static int gups_rep(vc_ctx *c, int rep) {
  (void)rep;
  gups_state *s = c->state;
  const long long chunk = 256; /* rounds between clock reads: 32768 updates */
  long long rounds = 0;
  gups_seed(s);
  int64_t t0 = vc_now_ns();
  do {
    gups_updates(s, chunk);
    rounds += chunk;
  } while (vc_ms_since(t0) < c->target_ms);
  c->duration_ms = vc_ms_since(t0);
  double updates = (double)rounds * LANES;
  c->iterations = (long long)updates;
  /* verification: replay the same stream; the table must return to table[i] == i */
  gups_seed(s);
  gups_updates(s, rounds);
  if (c->req->corrupt)
    for (uint64_t i = 0; i < s->size; i += 16) s->table[i] ^= 1;
  uint64_t errors = 0;
  for (uint64_t i = 0; i < s->size; i++)
    if (s->table[i] != i) {
      errors++;
      s->table[i] = i; /* repair for the next repetition */
    }
  vc_param_num(c, "updates", updates);
  vc_param_num(c, "errors", (double)errors);
  if ((double)errors > 0.01 * (double)s->size)
    return vc_fail(c, "verification failed: %llu of %llu table entries wrong (more than 1%%)", (unsigned long long)errors,
                   (unsigned long long)s->size);
  c->values[0] = updates / (c->duration_ms / 1000.0) / 1e9;
  return 0;
}

static void gups_teardown(vc_ctx *c) {
  gups_state *s = c->state;
  if (s) vc_free_pages(s->table, s->bytes);
  free(s);
  c->state = NULL;
}

static const vc_metric GUPS_METRICS[] = {{"gups", "GUP/s", "higher"}};
const vc_job vc_job_mmu_gups = {"mmu.gups", GUPS_METRICS, 1, 0, gups_setup, gups_rep, gups_teardown};

/* ---- mmu.pagefault ------------------------------------------------------ */

typedef struct {
  size_t bytes;
  size_t page;
} pf_state;

static int pf_setup(vc_ctx *c) {
  pf_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  c->state = s;
  double mb = vc_cap_mb(c, vc_size_mb(c, 64, 16), 0.5);
  s->page = (size_t)sysconf(_SC_PAGESIZE);
  if (s->page < 4096) s->page = 4096;
  s->bytes = ((size_t)(mb * 1048576.0) / s->page) * s->page;
  if (s->bytes < s->page * 16) return vc_fail(c, "region too small (%.2f MiB)", mb);
  vc_param_num(c, "regionMb", (double)s->bytes / 1048576.0);
  vc_param_num(c, "pageBytes", (double)s->page);
  vc_param_str(c, "thp", "off");
  return 0;
}

static long minflt(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

static int pf_rep(vc_ctx *c, int rep) {
  (void)rep;
  pf_state *s = c->state;
  size_t pages = s->bytes / s->page;
  double timed_ns = 0;
  long long total = 0;
  long f0 = minflt();
  int64_t wall0 = vc_now_ns();
  do {
    int64_t t0 = vc_now_ns();
    char *p = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return vc_fail(c, "mmap of %zu bytes failed", s->bytes);
#ifdef MADV_NOHUGEPAGE
    madvise(p, s->bytes, MADV_NOHUGEPAGE);
#endif
    for (size_t i = 0; i < pages; i++) *(volatile uint64_t *)(p + i * s->page) = i + 1;
    int64_t t1 = vc_now_ns();
    /* verification, not timed */
    if (c->req->corrupt) *(uint64_t *)(p + (pages / 2) * s->page) = 0;
    size_t bad = 0;
    for (size_t i = 0; i < pages; i++)
      if (*(volatile uint64_t *)(p + i * s->page) != i + 1) bad++;
    int64_t t2 = vc_now_ns();
    munmap(p, s->bytes);
    int64_t t3 = vc_now_ns();
    if (bad) return vc_fail(c, "verification failed: %zu of %zu pages lost their contents", bad, pages);
    timed_ns += (double)(t1 - t0) + (double)(t3 - t2);
    total += (long long)pages;
  } while (timed_ns / 1e6 < c->target_ms && vc_ms_since(wall0) < c->target_ms * 4);
  long f1 = minflt();
  c->duration_ms = timed_ns / 1e6;
  c->iterations = total;
  if (f0 >= 0 && f1 >= f0) vc_param_num(c, "minorFaults", (double)(f1 - f0));
  c->values[0] = (double)total / (timed_ns / 1e9);
  return 0;
}

static void pf_teardown(vc_ctx *c) {
  free(c->state);
  c->state = NULL;
}

static const vc_metric PF_METRICS[] = {{"faults", "faults/s", "higher"}};
const vc_job vc_job_mmu_pagefault = {"mmu.pagefault", PF_METRICS, 1, 0, pf_setup, pf_rep, pf_teardown};
