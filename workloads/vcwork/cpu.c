/*
 * cpu.int: LZ77 compression with hash chains + decompression + CRC-32 of 4 KiB text-like blocks.
 *   Branchy and call-heavy on purpose (a trivially translated loop is nearly free under TCG).
 *   One op = compress + decompress + CRC verify one 4 KiB block.
 * cpu.fp:  blocked double-precision matrix multiply C = A x B (2 n^3 flops), verified with Freivalds' check.
 */
#include "vcwork.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

/* ---- cpu.int ------------------------------------------------------------ */

#define BLK 4096
#define NBLK 16
#define HBITS 12
#define LZ_NONE 0xFFFFu

typedef struct {
  uint8_t corpus[NBLK][BLK];
  uint32_t crc_of[NBLK];
  uint32_t crc_tab[256];
  uint16_t head[1u << HBITS];
  uint16_t prev[BLK];
  uint8_t comp[BLK + BLK / 64 + 16];
  uint8_t dec[BLK];
  long long op;
} int_state;

static void crc_init(uint32_t *t) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
}

static NOINLINE uint32_t crc32_buf(const uint32_t *t, const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static unsigned hash3(const uint8_t *p) {
  return (((unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2]) * 2654435761u) >> (32 - HBITS);
}

static NOINLINE size_t match_len(const uint8_t *a, const uint8_t *b, size_t max) {
  size_t n = 0;
  while (n < max && a[n] == b[n]) n++;
  return n;
}

/* token 0x00..0x7F: literal run of t+1 bytes; 0x80..0xFF: match of (t & 0x7F) + 3 bytes, then 2-byte offset-1 */
static NOINLINE uint8_t *emit_literals(uint8_t *out, const uint8_t *src, size_t n) {
  while (n > 0) {
    size_t k = n > 128 ? 128 : n;
    *out++ = (uint8_t)(k - 1);
    for (size_t i = 0; i < k; i++) out[i] = src[i];
    out += k;
    src += k;
    n -= k;
  }
  return out;
}

static NOINLINE uint8_t *emit_match(uint8_t *out, size_t len, size_t off) {
  *out++ = (uint8_t)(0x80 | (len - 3));
  *out++ = (uint8_t)((off - 1) & 0xFF);
  *out++ = (uint8_t)((off - 1) >> 8);
  return out;
}

static NOINLINE void lz_insert(int_state *s, const uint8_t *in, size_t i) {
  unsigned h = hash3(in + i);
  s->prev[i] = s->head[h];
  s->head[h] = (uint16_t)i;
}

static size_t lz_compress(int_state *s, const uint8_t *in, size_t n, uint8_t *out0) {
  uint8_t *out = out0;
  memset(s->head, 0xFF, sizeof s->head);
  size_t i = 0, lit = 0;
  while (i + 3 <= n) {
    unsigned cand = s->head[hash3(in + i)];
    size_t best = 0, best_off = 0;
    int chain = 8;
    size_t max = n - i > 130 ? 130 : n - i;
    while (cand != LZ_NONE && chain-- > 0) {
      size_t l = match_len(in + cand, in + i, max);
      if (l > best) {
        best = l;
        best_off = i - cand;
        if (l == max) break;
      }
      cand = s->prev[cand];
    }
    lz_insert(s, in, i);
    if (best >= 3) {
      out = emit_literals(out, in + lit, i - lit);
      out = emit_match(out, best, best_off);
      for (size_t k = 1; k < best; k++)
        if (i + k + 3 <= n) lz_insert(s, in, i + k);
      i += best;
      lit = i;
    } else {
      i++;
    }
  }
  out = emit_literals(out, in + lit, n - lit);
  return (size_t)(out - out0);
}

static size_t lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < n) {
    unsigned t = in[i++];
    if (t < 0x80) {
      size_t k = t + 1;
      if (i + k > n || o + k > cap) return (size_t)-1;
      for (size_t j = 0; j < k; j++) out[o + j] = in[i + j];
      i += k;
      o += k;
    } else {
      if (i + 2 > n) return (size_t)-1;
      size_t len = (t & 0x7F) + 3;
      size_t off = ((size_t)in[i] | (size_t)in[i + 1] << 8) + 1;
      i += 2;
      if (off > o || o + len > cap) return (size_t)-1;
      for (size_t j = 0; j < len; j++) out[o + j] = out[o - off + j]; /* may overlap */
      o += len;
    }
  }
  return o;
}

static void gen_text(uint8_t *p, size_t n, uint64_t seed) {
  static const char *words[] = {
      "the",     "of",     "virtual", "machine", "kernel", "page",    "table",  "cache",   "memory", "guest",
      "host",    "device", "queue",   "block",   "packet", "network", "thread", "process", "signal", "timer",
      "and",     "to",     "a",       "in",      "is",     "that",    "for",    "with",    "on",     "by",
      "interrupt", "translation", "emulation", "container", "namespace", "cgroup", "hypervisor", "virtio",
  };
  const size_t nw = sizeof words / sizeof words[0];
  size_t o = 0;
  while (o < n) {
    uint64_t r = vc_rand64(&seed);
    size_t w = (size_t)((r & 0xFF) * (r >> 8 & 0xFF) >> 8) % nw; /* skewed towards the first words */
    const char *s = words[w];
    for (size_t k = 0; s[k] && o < n; k++) p[o++] = (uint8_t)s[k];
    if (o < n) {
      unsigned sep = (unsigned)(r >> 20) & 31;
      p[o++] = sep == 0 ? '.' : sep == 1 ? ',' : sep == 2 ? '\n' : sep == 3 ? (uint8_t)('0' + (r >> 30) % 10) : ' ';
    }
  }
}

static int int_setup(vc_ctx *c) {
  int_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  crc_init(s->crc_tab);
  for (int b = 0; b < NBLK; b++) {
    gen_text(s->corpus[b], BLK, 0x5EED0000u + (uint64_t)b);
    s->crc_of[b] = crc32_buf(s->crc_tab, s->corpus[b], BLK);
  }
  c->state = s;
  vc_param_num(c, "blockBytes", BLK);
  vc_param_str(c, "kernel", "lz77-hashchain+crc32");
  return 0;
}

static int int_batch(vc_ctx *c, long long n) {
  int_state *s = c->state;
  size_t total_comp = 0;
  for (long long k = 0; k < n; k++) {
    int b = (int)(s->op++ % NBLK);
    size_t clen = lz_compress(s, s->corpus[b], BLK, s->comp);
    total_comp += clen;
    size_t dlen = lz_decompress(s->comp, clen, s->dec, BLK);
    if (c->req->corrupt) s->dec[(size_t)k % BLK] ^= 0x20;
    if (dlen != BLK || crc32_buf(s->crc_tab, s->dec, BLK) != s->crc_of[b])
      return vc_fail(c, "verification failed: block %d did not survive compress/decompress (CRC mismatch)", b);
  }
  if (n > 0) vc_param_num(c, "compressionRatio", round((double)BLK * (double)n / (double)total_comp * 1000) / 1000);
  return 0;
}

static int int_rep(vc_ctx *c, int rep) {
  (void)rep;
  if (vc_run_calibrated(c, int_batch)) return -1;
  c->values[0] = (double)c->iterations / (c->duration_ms / 1000.0);
  return 0;
}

static void free_state(vc_ctx *c) {
  free(c->state);
  c->state = NULL;
}

static const vc_metric INT_METRICS[] = {{"ops", "ops/s", "higher"}};
const vc_job vc_job_cpu_int = {"cpu.int", INT_METRICS, 1, 0, int_setup, int_rep, free_state};

/* ---- cpu.fp ------------------------------------------------------------- */

#define TILE 64

typedef struct {
  int n;
  double *a, *b, *cm;
  double *x, *y1, *y2, *t;
} fp_state;

static NOINLINE void matmul(int n, const double *restrict a, const double *restrict b, double *restrict cm) {
  memset(cm, 0, sizeof(double) * (size_t)n * (size_t)n);
  for (int ii = 0; ii < n; ii += TILE) {
    int ie = ii + TILE < n ? ii + TILE : n;
    for (int kk = 0; kk < n; kk += TILE) {
      int ke = kk + TILE < n ? kk + TILE : n;
      for (int jj = 0; jj < n; jj += TILE) {
        int je = jj + TILE < n ? jj + TILE : n;
        for (int i = ii; i < ie; i++) {
          double *ci = cm + (size_t)i * n;
          for (int k = kk; k < ke; k++) {
            double aik = a[(size_t)i * n + k];
            const double *bk = b + (size_t)k * n;
            for (int j = jj; j < je; j++) ci[j] += aik * bk[j];
          }
        }
      }
    }
  }
}

static void matvec(int n, const double *m, const double *v, double *out) {
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < n; j++) s += m[(size_t)i * n + j] * v[j];
    out[i] = s;
  }
}

static int fp_setup(vc_ctx *c) {
  fp_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  c->state = s;
  s->n = c->req->n > 0 ? c->req->n : 256;
  size_t nn = (size_t)s->n * (size_t)s->n;
  s->a = malloc(nn * sizeof(double));
  s->b = malloc(nn * sizeof(double));
  s->cm = malloc(nn * sizeof(double));
  s->x = malloc((size_t)s->n * 4 * sizeof(double));
  if (!s->a || !s->b || !s->cm || !s->x) return vc_fail(c, "out of memory for n=%d", s->n);
  s->y1 = s->x + s->n;
  s->y2 = s->y1 + s->n;
  s->t = s->y2 + s->n;
  uint64_t seed = 42;
  for (size_t i = 0; i < nn; i++) {
    s->a[i] = (double)(vc_rand64(&seed) >> 11) / 9007199254740992.0;
    s->b[i] = (double)(vc_rand64(&seed) >> 11) / 9007199254740992.0 - 0.5;
  }
  for (int i = 0; i < s->n; i++) s->x[i] = 1.0 / (i + 1);
  vc_param_num(c, "n", s->n);
  vc_param_num(c, "tile", TILE);
  return 0;
}

static int fp_batch(vc_ctx *c, long long n) {
  fp_state *s = c->state;
  for (long long k = 0; k < n; k++) matmul(s->n, s->a, s->b, s->cm);
  return 0;
}

static int fp_rep(vc_ctx *c, int rep) {
  (void)rep;
  fp_state *s = c->state;
  if (vc_run_calibrated(c, fp_batch)) return -1;
  if (c->req->corrupt) s->cm[(size_t)s->n * (size_t)s->n / 2] += 1.0;
  /* Freivalds: C x must equal A (B x) */
  matvec(s->n, s->b, s->x, s->t);
  matvec(s->n, s->a, s->t, s->y1);
  matvec(s->n, s->cm, s->x, s->y2);
  double err = 0, mag = 0;
  for (int i = 0; i < s->n; i++) {
    err = fmax(err, fabs(s->y1[i] - s->y2[i]));
    mag = fmax(mag, fabs(s->y1[i]));
  }
  if (!(err <= 1e-10 * (mag > 1 ? mag : 1)))
    return vc_fail(c, "verification failed: C*x differs from A*(B*x) by %.3g (relative limit 1e-10)", err);
  double flops = 2.0 * s->n * s->n * (double)s->n * (double)c->iterations;
  c->values[0] = flops / (c->duration_ms / 1000.0) / 1e9;
  return 0;
}

static void fp_teardown(vc_ctx *c) {
  fp_state *s = c->state;
  if (s) {
    free(s->a);
    free(s->b);
    free(s->cm);
    free(s->x);
  }
  free_state(c);
}

static const vc_metric FP_METRICS[] = {{"gflops", "GFLOP/s", "higher"}};
const vc_job vc_job_cpu_fp = {"cpu.fp", FP_METRICS, 1, 0, fp_setup, fp_rep, fp_teardown};
