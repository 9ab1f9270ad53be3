/* proc.fork: fork + child _exit + waitpid, microseconds per operation. The exit status is checked. */
#include "vcwork.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int fork_setup(vc_ctx *c) {
  vc_param_str(c, "op", "fork+_exit+waitpid");
  return 0;
}

static int fork_batch(vc_ctx *c, long long n) {
  for (long long i = 0; i < n; i++) {
    int code = (int)(i & 63);
    pid_t pid = fork();
    if (pid < 0) return vc_fail(c, "fork failed: %s", strerror(errno));
    if (pid == 0) _exit(code);
    int st;
    pid_t w;
    do w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    if (w != pid) return vc_fail(c, "waitpid failed: %s", strerror(errno));
    int expect = c->req->corrupt ? code + 1 : code;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != expect)
      return vc_fail(c, "verification failed: child exit status %d, expected %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                     expect);
  }
  return 0;
}

static int fork_rep(vc_ctx *c, int rep) {
  (void)rep;
  if (vc_run_calibrated(c, fork_batch)) return -1;
  c->values[0] = c->duration_ms * 1000.0 / (double)c->iterations;
  return 0;
}

static void fork_teardown(vc_ctx *c) { (void)c; }

static const vc_metric FORK_METRICS[] = {{"fork", "\xc2\xb5s", "lower"}};
const vc_job vc_job_proc_fork = {"proc.fork", FORK_METRICS, 1, 0, fork_setup, fork_rep, fork_teardown};
