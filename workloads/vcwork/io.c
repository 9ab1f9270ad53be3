/*
 * IO jobs on a target path: a regular file (created or extended to the needed size; removed or truncated back
 * afterwards), a directory (a file is created inside it and removed afterwards), or a whole block device
 * (opened O_EXCL so a mounted or otherwise claimed device is refused; only the first sizeMb are used).
 *
 * io.seq:   sequential 1 MiB O_DIRECT writes (then fdatasync) for the target time, then sequential reads.
 * io.rand:  4 KiB O_DIRECT random writes, then random reads, one at a time (queue depth 1); IOPS + p50/p99.
 * io.fsync: 4 KiB buffered pwrite + fsync in a 1 MiB window; mean microseconds per write+fsync.
 *
 * Every 4 KiB sector written carries a header (magic, sector index, seed, check); reads verify it against the
 * seed last written there. O_DIRECT refused (EINVAL) is an error, never a silent buffered fallback.
 */
#include "vcwork.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define SECTOR 4096u
#define SEQ_BLOCK (1024u * 1024u)
#define MAGIC 0x31304f494b574356ULL /* "VCWKIO01" */
#define LAT_CAP (8u << 20)

typedef struct {
  int fd;
  char path[VC_PATH];
  int created, extended, is_blk;
  off_t orig_size;
  uint64_t region;   /* bytes in use, multiple of 1 MiB */
  uint32_t *seeds;   /* seed last written to each sector */
  unsigned char *buf;
  size_t buflen;
  uint32_t *lat_r, *lat_w;
  size_t lat_cap;
} io_state;

/* path to remove if a signal ends the process while an IO job runs */
static volatile sig_atomic_t g_cleanup_active;
static char g_cleanup_path[VC_PATH];

void vc_io_cleanup_on_signal(void) {
  if (g_cleanup_active) unlink(g_cleanup_path);
}

static const char *fs_name(long type) {
  switch ((unsigned long)type) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x858458F6: return "ramfs";
    case 0x794C7630: return "overlay";
    case 0x6969: return "nfs";
    case 0x01021997: return "9p";
    case 0x65735546: return "fuse";
    case 0xF2F52010: return "f2fs";
    case 0x2FC12FC1: return "zfs";
    case 0x6A656A63: return "virtiofs";
    default: return "other";
  }
}

static int refuse_if_mounted(vc_ctx *c, const char *dev) {
  /* belt and braces next to O_EXCL: the device or one of its partitions in /proc/mounts or /proc/swaps */
  const char *files[] = {"/proc/mounts", "/proc/swaps"};
  size_t dl = strlen(dev);
  for (int k = 0; k < 2; k++) {
    FILE *f = fopen(files[k], "r");
    if (!f) continue;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
      char src[512];
      if (sscanf(line, "%511s", src) != 1) continue;
      char real[VC_PATH];
      const char *cmp = realpath(src, real) ? real : src;
      if (!strncmp(cmp, dev, dl)) {
        fclose(f);
        return vc_fail(c, "refusing block device %s: %s is listed in %s", dev, cmp, files[k]);
      }
    }
    fclose(f);
  }
  return 0;
}

static int io_open(vc_ctx *c, io_state *s, uint64_t need, int direct) {
  const char *target = c->req->target;
  struct stat st;
  s->fd = -1;
  snprintf(s->path, sizeof s->path, "%s", target);
  int exists = stat(target, &st) == 0;
  if (!exists && errno != ENOENT) return vc_fail(c, "cannot stat target %s: %s", target, strerror(errno));
  if (exists && S_ISDIR(st.st_mode)) {
    int n = snprintf(s->path, sizeof s->path, "%s/vcwork-io-%ld.dat", target, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof s->path) return vc_fail(c, "target path too long");
    exists = 0;
  }
  int flags = O_RDWR | O_CLOEXEC | (direct ? O_DIRECT : 0);
  const char *kind;
  /* test hook: behave as a file system that refuses O_DIRECT (tmpfs before Linux 6.6, some FUSE/9p) */
  if (direct && getenv("VCWORK_TEST_ODIRECT_EINVAL"))
    return vc_fail(c, "O_DIRECT refused by the file system of %s (EINVAL): IO jobs need a disk-backed file system",
                   s->path);
  if (!exists) {
    snprintf(g_cleanup_path, sizeof g_cleanup_path, "%s", s->path);
    g_cleanup_active = 1;
    s->fd = open(s->path, flags | O_CREAT | O_EXCL, 0600);
    if (s->fd < 0 && direct && errno == EINVAL) {
      /* the file may exist now without O_DIRECT support: remove it */
      unlink(s->path);
      g_cleanup_active = 0;
      return vc_fail(c, "O_DIRECT refused by the file system of %s (EINVAL): IO jobs need a disk-backed file system",
                     s->path);
    }
    if (s->fd < 0) {
      g_cleanup_active = 0;
      return vc_fail(c, "cannot create %s: %s", s->path, strerror(errno));
    }
    s->created = 1;
    s->region = need;
    kind = "file";
  } else if (S_ISREG(st.st_mode)) {
    s->fd = open(s->path, flags);
    if (s->fd < 0 && direct && errno == EINVAL)
      return vc_fail(c, "O_DIRECT refused by the file system of %s (EINVAL): IO jobs need a disk-backed file system",
                     s->path);
    if (s->fd < 0) return vc_fail(c, "cannot open %s: %s", s->path, strerror(errno));
    if ((uint64_t)st.st_size < need) {
      s->extended = 1;
      s->orig_size = st.st_size;
    }
    s->region = need;
    kind = "file";
  } else if (S_ISBLK(st.st_mode)) {
    char real[VC_PATH];
    if (!realpath(target, real)) snprintf(real, sizeof real, "%s", target);
    if (refuse_if_mounted(c, real)) return -1;
    s->fd = open(s->path, flags | O_EXCL);
    if (s->fd < 0 && errno == EBUSY)
      return vc_fail(c, "refusing block device %s: it is in use (mounted, swap or held by another driver)", real);
    if (s->fd < 0) return vc_fail(c, "cannot open block device %s: %s", real, strerror(errno));
    uint64_t dev_bytes = 0;
    if (ioctl(s->fd, BLKGETSIZE64, &dev_bytes)) return vc_fail(c, "BLKGETSIZE64 on %s: %s", real, strerror(errno));
    s->region = need < dev_bytes ? need : dev_bytes / SEQ_BLOCK * SEQ_BLOCK;
    if (s->region < SEQ_BLOCK) return vc_fail(c, "block device %s is smaller than 1 MiB", real);
    s->is_blk = 1;
    kind = "blockdev";
  } else {
    return vc_fail(c, "target %s is not a regular file, directory or block device", target);
  }
  struct statfs sf;
  vc_param_str(c, "target", s->path);
  vc_param_str(c, "targetKind", kind);
  if (!s->is_blk) {
    const char *fs = fstatfs(s->fd, &sf) == 0 ? fs_name((long)sf.f_type) : "unknown";
    vc_param_str(c, "fsType", fs);
    if (!strcmp(fs, "tmpfs") || !strcmp(fs, "ramfs")) {
      vc_param_bool(c, "memoryBacked", 1);
      fprintf(stderr, "vcwork: %s is on %s: IO figures measure memory, not a disk\n", s->path, fs);
    }
  }
  vc_param_num(c, "regionMb", (double)s->region / 1048576.0);
  vc_param_bool(c, "direct", direct);
  uint64_t nsec = s->region / SECTOR;
  s->seeds = calloc(nsec, sizeof *s->seeds);
  s->buflen = SEQ_BLOCK;
  if (!s->seeds || posix_memalign((void **)&s->buf, 4096, s->buflen))
    return vc_fail(c, "out of memory for IO buffers");
  /* constant incompressible filler after each sector header */
  uint64_t r = 0xF111;
  for (size_t i = 0; i + 8 <= s->buflen; i += 8) {
    uint64_t v = vc_rand64(&r);
    memcpy(s->buf + i, &v, 8);
  }
  return 0;
}

static void io_close(io_state *s) {
  if (s->fd >= 0) {
    if (s->extended) {
      if (ftruncate(s->fd, s->orig_size)) fprintf(stderr, "vcwork: could not truncate %s back\n", s->path);
    }
    close(s->fd);
    s->fd = -1;
  }
  if (s->created) {
    unlink(s->path);
    s->created = 0;
  }
  g_cleanup_active = 0;
  free(s->seeds);
  free(s->buf);
  free(s->lat_r);
  free(s->lat_w);
  s->seeds = NULL;
  s->buf = NULL;
  s->lat_r = s->lat_w = NULL;
}

static void put_headers(unsigned char *buf, size_t len, uint64_t first_sector, uint32_t seed) {
  for (size_t off = 0; off < len; off += SECTOR) {
    uint64_t h[4] = {MAGIC, first_sector + off / SECTOR, seed, 0};
    h[3] = h[0] ^ (h[1] * 0x9E3779B97F4A7C15ULL) ^ (h[2] << 17);
    memcpy(buf + off, h, sizeof h);
  }
}

/* number of sectors in buf whose header does not match what was last written there */
static size_t check_headers(const unsigned char *buf, size_t len, uint64_t first_sector, const uint32_t *seeds,
                            uint32_t corrupt) {
  size_t bad = 0;
  for (size_t off = 0; off < len; off += SECTOR) {
    uint64_t h[4];
    memcpy(h, buf + off, sizeof h);
    uint64_t sec = first_sector + off / SECTOR;
    uint64_t seed = seeds[sec] + corrupt;
    if (h[0] != MAGIC || h[1] != sec || h[2] != seed || h[3] != (h[0] ^ (h[1] * 0x9E3779B97F4A7C15ULL) ^ (h[2] << 17)))
      bad++;
  }
  return bad;
}

static int io_err(vc_ctx *c, io_state *s, const char *what, ssize_t got, size_t want, uint64_t off) {
  if (got < 0 && errno == EINVAL)
    return vc_fail(c, "O_DIRECT %s refused (EINVAL) on %s at offset %llu: the file system does not support direct IO",
                   what, s->path, (unsigned long long)off);
  if (got < 0) return vc_fail(c, "%s at offset %llu of %s failed: %s", what, (unsigned long long)off, s->path, strerror(errno));
  return vc_fail(c, "short %s at offset %llu of %s: %zd of %zu bytes", what, (unsigned long long)off, s->path, got, want);
}

/* writes the whole region once with seed 0 so that every read can be verified */
static int io_layout(vc_ctx *c, io_state *s) {
  for (uint64_t off = 0; off < s->region; off += SEQ_BLOCK) {
    put_headers(s->buf, SEQ_BLOCK, off / SECTOR, 0);
    ssize_t w = pwrite(s->fd, s->buf, SEQ_BLOCK, (off_t)off);
    if (w != (ssize_t)SEQ_BLOCK) return io_err(c, s, "write", w, SEQ_BLOCK, off);
  }
  if (fdatasync(s->fd)) return vc_fail(c, "fdatasync %s: %s", s->path, strerror(errno));
  return 0;
}

static void io_teardown(vc_ctx *c) {
  io_state *s = c->state;
  if (s) io_close(s);
  free(s);
  c->state = NULL;
}

static int io_setup_common(vc_ctx *c, uint64_t need, int direct) {
  io_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  s->fd = -1;
  c->state = s;
  if (io_open(c, s, need, direct)) return -1;
  return io_layout(c, s);
}

static uint64_t region_bytes(vc_ctx *c, double full_mb, double quick_mb) {
  double mb = vc_size_mb(c, full_mb, quick_mb);
  uint64_t b = (uint64_t)(mb * 1048576.0) / SEQ_BLOCK * SEQ_BLOCK;
  return b < SEQ_BLOCK ? SEQ_BLOCK : b;
}

/* ---- io.seq ------------------------------------------------------------- */

static int seq_setup(vc_ctx *c) {
  if (io_setup_common(c, region_bytes(c, 256, 32), 1)) return -1;
  vc_param_num(c, "blockBytes", SEQ_BLOCK);
  return 0;
}

static int seq_rep(vc_ctx *c, int rep) {
  io_state *s = c->state;
  uint64_t nblocks = s->region / SEQ_BLOCK, blk = 0, wrote = 0, read = 0;
  uint32_t seed = (uint32_t)rep;
  int64_t t0 = vc_now_ns();
  do {
    uint64_t off = blk * SEQ_BLOCK;
    put_headers(s->buf, SEQ_BLOCK, off / SECTOR, seed);
    ssize_t w = pwrite(s->fd, s->buf, SEQ_BLOCK, (off_t)off);
    if (w != (ssize_t)SEQ_BLOCK) return io_err(c, s, "write", w, SEQ_BLOCK, off);
    for (uint64_t k = 0; k < SEQ_BLOCK / SECTOR; k++) s->seeds[off / SECTOR + k] = seed;
    wrote++;
    blk = (blk + 1) % nblocks;
  } while (vc_ms_since(t0) < c->target_ms);
  if (fdatasync(s->fd)) return vc_fail(c, "fdatasync %s: %s", s->path, strerror(errno));
  double wms = vc_ms_since(t0);
  blk = 0;
  t0 = vc_now_ns();
  do {
    uint64_t off = blk * SEQ_BLOCK;
    ssize_t r = pread(s->fd, s->buf, SEQ_BLOCK, (off_t)off);
    if (r != (ssize_t)SEQ_BLOCK) return io_err(c, s, "read", r, SEQ_BLOCK, off);
    size_t bad = check_headers(s->buf, SEQ_BLOCK, off / SECTOR, s->seeds, (uint32_t)c->req->corrupt);
    if (bad)
      return vc_fail(c, "verification failed: %zu sectors of the 1 MiB block at offset %llu hold unexpected data", bad,
                     (unsigned long long)off);
    read++;
    blk = (blk + 1) % nblocks;
  } while (vc_ms_since(t0) < c->target_ms);
  double rms = vc_ms_since(t0);
  c->values[0] = (double)(wrote * SEQ_BLOCK) / (wms / 1000.0) / 1e6;
  c->values[1] = (double)(read * SEQ_BLOCK) / (rms / 1000.0) / 1e6;
  c->duration_ms = wms < rms ? wms : rms; /* each phase has the full target */
  c->iterations = (long long)(wrote + read);
  return 0;
}

static const vc_metric SEQ_METRICS[] = {{"write", "MB/s", "higher"}, {"read", "MB/s", "higher"}};
const vc_job vc_job_io_seq = {"io.seq", SEQ_METRICS, 2, VC_NEEDS_TARGET, seq_setup, seq_rep, io_teardown};

/* ---- io.rand ------------------------------------------------------------ */

static int rand_setup(vc_ctx *c) {
  if (io_setup_common(c, region_bytes(c, 256, 32), 1)) return -1;
  io_state *s = c->state;
  s->lat_cap = 65536;
  s->lat_r = malloc(s->lat_cap * sizeof(uint32_t));
  s->lat_w = malloc(s->lat_cap * sizeof(uint32_t));
  if (!s->lat_r || !s->lat_w) return vc_fail(c, "out of memory");
  vc_param_num(c, "blockBytes", SECTOR);
  vc_param_num(c, "queueDepth", 1);
  return 0;
}

static int push_lat(io_state *s, uint32_t **arr, size_t *n, uint32_t v) {
  if (*n == s->lat_cap) {
    if (s->lat_cap >= LAT_CAP) return -1;
    size_t nc = s->lat_cap * 2;
    uint32_t *nr = realloc(s->lat_r, nc * sizeof(uint32_t));
    if (!nr) return -1;
    s->lat_r = nr;
    uint32_t *nw = realloc(s->lat_w, nc * sizeof(uint32_t));
    if (!nw) return -1;
    s->lat_w = nw;
    s->lat_cap = nc; /* *arr is s->lat_r or s->lat_w itself, so it already sees the new block */
  }
  (*arr)[(*n)++] = v;
  return 0;
}

static int rand_phase(vc_ctx *c, io_state *s, int writing, uint32_t seed, uint64_t *rng, size_t *count, double *ms) {
  uint64_t nsec = s->region / SECTOR;
  uint32_t **arr = writing ? &s->lat_w : &s->lat_r;
  *count = 0;
  int64_t start = vc_now_ns(), t = start;
  for (;;) {
    uint64_t sec = vc_rand64(rng) % nsec;
    uint64_t off = sec * SECTOR;
    ssize_t got;
    if (writing) {
      put_headers(s->buf, SECTOR, sec, seed);
      got = pwrite(s->fd, s->buf, SECTOR, (off_t)off);
    } else {
      got = pread(s->fd, s->buf, SECTOR, (off_t)off);
    }
    int64_t t1 = vc_now_ns();
    if (got != (ssize_t)SECTOR) return io_err(c, s, writing ? "write" : "read", got, SECTOR, off);
    if (writing) s->seeds[sec] = seed;
    else if (check_headers(s->buf, SECTOR, sec, s->seeds, (uint32_t)c->req->corrupt))
      return vc_fail(c, "verification failed: sector %llu holds unexpected data", (unsigned long long)sec);
    uint64_t lat = (uint64_t)(t1 - t);
    if (push_lat(s, arr, count, lat > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)lat)) break; /* cap: phase ends */
    t = t1;
    if ((double)(t1 - start) / 1e6 >= c->target_ms) break;
  }
  *ms = (double)(t - start) / 1e6;
  return 0;
}

static int rand_rep(vc_ctx *c, int rep) {
  io_state *s = c->state;
  uint64_t rng = 0xABCDEF00ULL + (uint64_t)rep;
  size_t nw, nr;
  double wms, rms;
  if (rand_phase(c, s, 1, (uint32_t)rep, &rng, &nw, &wms)) return -1;
  if (rand_phase(c, s, 0, 0, &rng, &nr, &rms)) return -1;
  qsort(s->lat_r, nr, sizeof(uint32_t), vc_cmp_u32);
  qsort(s->lat_w, nw, sizeof(uint32_t), vc_cmp_u32);
  c->values[0] = (double)nr / (rms / 1000.0);
  c->values[1] = vc_percentile_u32(s->lat_r, nr, 50) / 1000.0;
  c->values[2] = vc_percentile_u32(s->lat_r, nr, 99) / 1000.0;
  c->values[3] = (double)nw / (wms / 1000.0);
  c->values[4] = vc_percentile_u32(s->lat_w, nw, 50) / 1000.0;
  c->values[5] = vc_percentile_u32(s->lat_w, nw, 99) / 1000.0;
  c->duration_ms = wms < rms ? wms : rms;
  c->iterations = (long long)(nr + nw);
  return 0;
}

static const vc_metric RAND_METRICS[] = {
    {"readIops", "IOPS", "higher"},  {"readP50", "\xc2\xb5s", "lower"},  {"readP99", "\xc2\xb5s", "lower"},
    {"writeIops", "IOPS", "higher"}, {"writeP50", "\xc2\xb5s", "lower"}, {"writeP99", "\xc2\xb5s", "lower"},
};
const vc_job vc_job_io_rand = {"io.rand", RAND_METRICS, 6, VC_NEEDS_TARGET, rand_setup, rand_rep, io_teardown};

/* ---- io.fsync ----------------------------------------------------------- */

#define FSYNC_WINDOW (1024u * 1024u)

static int fsync_setup(vc_ctx *c) {
  if (io_setup_common(c, FSYNC_WINDOW, 0)) return -1;
  vc_param_num(c, "writeBytes", SECTOR);
  vc_param_str(c, "sync", "fsync");
  return 0;
}

static int fsync_rep(vc_ctx *c, int rep) {
  io_state *s = c->state;
  uint64_t slots = FSYNC_WINDOW / SECTOR;
  uint64_t n = 0;
  uint32_t seed = (uint32_t)rep;
  int64_t t0 = vc_now_ns();
  do {
    uint64_t sec = n % slots;
    put_headers(s->buf, SECTOR, sec, seed);
    ssize_t w = pwrite(s->fd, s->buf, SECTOR, (off_t)(sec * SECTOR));
    if (w != (ssize_t)SECTOR) return io_err(c, s, "write", w, SECTOR, sec * SECTOR);
    if (fsync(s->fd)) return vc_fail(c, "fsync %s: %s", s->path, strerror(errno));
    s->seeds[sec] = seed;
    n++;
  } while (vc_ms_since(t0) < c->target_ms);
  c->duration_ms = vc_ms_since(t0);
  c->iterations = (long long)n;
  /* verify the window (buffered reads) */
  for (uint64_t sec = 0; sec < slots; sec++) {
    ssize_t r = pread(s->fd, s->buf, SECTOR, (off_t)(sec * SECTOR));
    if (r != (ssize_t)SECTOR) return io_err(c, s, "read", r, SECTOR, sec * SECTOR);
    if (check_headers(s->buf, SECTOR, sec, s->seeds, (uint32_t)c->req->corrupt))
      return vc_fail(c, "verification failed: slot %llu of the fsync window holds unexpected data", (unsigned long long)sec);
  }
  c->values[0] = c->duration_ms * 1000.0 / (double)n;
  return 0;
}

static const vc_metric FSYNC_METRICS[] = {{"fsync", "\xc2\xb5s", "lower"}};
const vc_job vc_job_io_fsync = {"io.fsync", FSYNC_METRICS, 1, VC_NEEDS_TARGET, fsync_setup, fsync_rep, io_teardown};
