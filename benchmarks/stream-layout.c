/* Paired layout experiment for mem.stream (docs/workloads.md): the same scalar STREAM kernels as vcwork on three
 * array layouts, interleaved pass by pass in one process so machine load falls on all three alike.
 * Build and run: gcc -O2 -static -o /tmp/stream-layout benchmarks/stream-layout.c && /tmp/stream-layout MIB PASSES STAGGER
 * Prints the best GB/s per layout and kernel (first pass excluded). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#define NOINLINE __attribute__((noinline))
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static NOINLINE void k_copy(double *restrict c, const double *restrict a, size_t n) { for (size_t j = 0; j < n; j++) c[j] = a[j]; }
static NOINLINE void k_scale(double *restrict b, const double *restrict c, double s, size_t n) { for (size_t j = 0; j < n; j++) b[j] = s * c[j]; }
static NOINLINE void k_add(double *restrict c, const double *restrict a, const double *restrict b, size_t n) { for (size_t j = 0; j < n; j++) c[j] = a[j] + b[j]; }
static NOINLINE void k_triad(double *restrict a, const double *restrict b, const double *restrict c, double s, size_t n) { for (size_t j = 0; j < n; j++) a[j] = b[j] + s * c[j]; }
int main(int argc, char **argv) {
  size_t mb = strtoull(argv[1], 0, 10), n = mb * 1048576 / 8, bytes = n * 8; int passes = atoi(argv[2]); long st = atol(argv[3]);
  double *L[3][3]; const char *name[3] = {"malloc", "mmap-aligned", "one-map-staggered"};
  for (int k = 0; k < 3; k++) L[0][k] = malloc(bytes);
  for (int k = 0; k < 3; k++) L[1][k] = mmap(0, bytes, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *m = mmap(0, 3 * bytes + 3 * st + 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int k = 0; k < 3; k++) L[2][k] = (double *)(m + k * (bytes + st));
  double best[3][4];
  for (int l = 0; l < 3; l++) { for (int q = 0; q < 4; q++) best[l][q] = 1e30; for (size_t j = 0; j < n; j++) { L[l][0][j] = 1; L[l][1][j] = 2; L[l][2][j] = 0; } }
  for (int p = 0; p < passes; p++) for (int l0 = 0; l0 < 3; l0++) {
    int l = (l0 + p) % 3; double *a = L[l][0], *b = L[l][1], *c = L[l][2], t, d[4];
    t = now(); k_copy(c, a, n); d[0] = now() - t;
    t = now(); k_scale(b, c, 3.0, n); d[1] = now() - t;
    t = now(); k_add(c, a, b, n); d[2] = now() - t;
    t = now(); k_triad(a, b, c, 3.0, n); d[3] = now() - t;
    if (p > 0) for (int q = 0; q < 4; q++) if (d[q] < best[l][q]) best[l][q] = d[q];
  }
  for (int l = 0; l < 3; l++) printf("%-18s copy %6.2f scale %6.2f add %6.2f triad %6.2f  (a %% 4096 = %lu, b-a = %ld)\n", name[l], 2.0 * bytes / best[l][0] / 1e9, 2.0 * bytes / best[l][1] / 1e9,
    3.0 * bytes / best[l][2] / 1e9, 3.0 * bytes / best[l][3] / 1e9, (unsigned long)L[l][0] % 4096, (long)((char *)L[l][1] - (char *)L[l][0]));
  return 0;
}
