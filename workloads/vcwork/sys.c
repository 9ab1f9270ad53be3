/*
 * sys.syscall: null system call, getppid through syscall(2) (lmbench lat_syscall null), ns per call.
 * sys.ctxsw:   two processes pinned to one CPU pass a 4-byte token through two pipes (lmbench lat_ctx,
 *              2 processes, 0 KB working set, without lmbench's pipe-overhead subtraction); us per switch,
 *              one round trip = 2 switches. The token is incremented by the child and checked.
 */
#include "vcwork.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- sys.syscall -------------------------------------------------------- */

typedef struct {
  long ppid;
} sc_state;

static int sc_setup(vc_ctx *c) {
  sc_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  s->ppid = getppid();
  c->state = s;
  vc_param_str(c, "call", "getppid");
  return 0;
}

static int sc_batch(vc_ctx *c, long long n) {
  const sc_state *s = c->state;
  long expect = c->req->corrupt ? s->ppid + 1 : s->ppid;
  long bad = 0;
  for (long long i = 0; i < n; i++) bad += syscall(SYS_getppid) != expect;
  if (bad) return vc_fail(c, "verification failed: getppid returned an unexpected value %ld times", bad);
  return 0;
}

static int sc_rep(vc_ctx *c, int rep) {
  (void)rep;
  if (vc_run_calibrated(c, sc_batch)) return -1;
  c->values[0] = c->duration_ms * 1e6 / (double)c->iterations;
  return 0;
}

static void sc_teardown(vc_ctx *c) {
  free(c->state);
  c->state = NULL;
}

static const vc_metric SC_METRICS[] = {{"syscall", "ns", "lower"}};
const vc_job vc_job_sys_syscall = {"sys.syscall", SC_METRICS, 1, 0, sc_setup, sc_rep, sc_teardown};

/* ---- sys.ctxsw ---------------------------------------------------------- */

typedef struct {
  int to_child, from_child;
  pid_t child;
  uint32_t token;
  int have_mask;
  cpu_set_t mask; /* affinity before pinning, restored in teardown */
} cs_state;

static int rd_full(int fd, void *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int wr_full(int fd, const void *p, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t w = write(fd, (const char *)p + put, n - put);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    put += (size_t)w;
  }
  return 0;
}

static int cs_setup(vc_ctx *c) {
  cs_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  s->to_child = s->from_child = -1;
  c->state = s;
  int p1[2], p2[2];
  if (pipe(p1)) return vc_fail(c, "pipe: %s", strerror(errno));
  if (pipe(p2)) {
    close(p1[0]);
    close(p1[1]);
    return vc_fail(c, "pipe: %s", strerror(errno));
  }
  int cpu = sched_getcpu();
  int pinned = 0;
  s->have_mask = sched_getaffinity(0, sizeof s->mask, &s->mask) == 0;
  if (cpu >= 0 && s->have_mask) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pinned = sched_setaffinity(0, sizeof set, &set) == 0; /* inherited by the child */
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
    return vc_fail(c, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(p1[1]);
    close(p2[0]);
    uint32_t t;
    while (rd_full(p1[0], &t, sizeof t) == 0) {
      t++;
      if (wr_full(p2[1], &t, sizeof t)) break;
    }
    _exit(0);
  }
  close(p1[0]);
  close(p2[1]);
  s->to_child = p1[1];
  s->from_child = p2[0];
  s->child = pid;
  vc_param_bool(c, "pinned", pinned);
  if (pinned) vc_param_num(c, "cpu", cpu);
  vc_param_num(c, "processes", 2);
  return 0;
}

static int cs_batch(vc_ctx *c, long long n) {
  cs_state *s = c->state;
  for (long long i = 0; i < n; i++) {
    uint32_t t = s->token, r;
    if (wr_full(s->to_child, &t, sizeof t) || rd_full(s->from_child, &r, sizeof r))
      return vc_fail(c, "pipe ping-pong broke: %s", strerror(errno));
    uint32_t expect = c->req->corrupt ? t + 2 : t + 1;
    if (r != expect) return vc_fail(c, "verification failed: token %u came back as %u, expected %u", t, r, expect);
    s->token = r + 1;
  }
  return 0;
}

static int cs_rep(vc_ctx *c, int rep) {
  (void)rep;
  if (vc_run_calibrated(c, cs_batch)) return -1;
  c->values[0] = c->duration_ms * 1000.0 / (2.0 * (double)c->iterations);
  return 0;
}

static void cs_teardown(vc_ctx *c) {
  cs_state *s = c->state;
  if (!s) return;
  if (s->to_child >= 0) close(s->to_child);
  if (s->from_child >= 0) close(s->from_child);
  if (s->child > 0) {
    int st;
    while (waitpid(s->child, &st, 0) < 0 && errno == EINTR) {
    }
  }
  /* later jobs in the same agent must not inherit the pinning */
  if (s->have_mask) sched_setaffinity(0, sizeof s->mask, &s->mask);
  free(s);
  c->state = NULL;
}

static const vc_metric CS_METRICS[] = {{"switch", "\xc2\xb5s", "lower"}};
const vc_job vc_job_sys_ctxsw = {"sys.ctxsw", CS_METRICS, 1, 0, cs_setup, cs_rep, cs_teardown};
