/* vcwork command line: run, env, agent, serve, stop, version. */
#include "vcwork.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: vcwork run JOB [--reps N] [--target-ms MS] [--size-mb N] [--n N] [--target PATH] [--peer HOST:PORT] [--pin-cpu N] [--quick]\n"
    "       vcwork env | agent | version\n"
    "       vcwork serve --listen ADDR:PORT [--max-seconds S]\n"
    "       vcwork stop --peer HOST:PORT\n"
    "jobs: cpu.int cpu.fp mem.stream mmu.gups mmu.pagefault proc.fork sys.syscall sys.ctxsw\n"
    "      io.seq io.rand io.fsync net.stream net.rr\n"
    "stdout carries JSON lines only; diagnostics go to stderr.\n";

static int usage_error(const char *msg) {
  vc_emit_error(NULL, NULL, msg);
  fputs(USAGE, stderr);
  return 2;
}

static void on_signal(int sig) {
  vc_io_cleanup_on_signal();
  _exit(128 + sig);
}

static int parse_double(const char *s, double *out) {
  char *end;
  *out = strtod(s, &end);
  return end == s || *end;
}

/* --flag VALUE or --flag=VALUE; returns the value or NULL */
static const char *flag_value(int argc, char **argv, int *i, const char *name) {
  size_t nl = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, nl)) return NULL;
  if (a[nl] == '=') return a + nl + 1;
  if (a[nl] == 0 && *i + 1 < argc) return argv[++*i];
  return NULL;
}

static int cmd_run(int argc, char **argv) {
  static vc_request req;
  char msg[VC_MSG];
  if (argc < 3) return usage_error("run needs a job id");
  const vc_job *job = vc_find_job(argv[2]);
  if (!job) {
    snprintf(msg, sizeof msg, "unknown job %.60s", argv[2]);
    return usage_error(msg);
  }
  static const struct { const char *flag, *param; int num; } MAP[] = {
      {"--target-ms", "targetMs", 1}, {"--size-mb", "sizeMb", 1}, {"--n", "n", 1},
      {"--target", "target", 0},      {"--peer", "peer", 0},          {"--pin-cpu", "pinCpu", 1},
  };
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    const char *v;
    if (!strcmp(a, "--quick")) { req.quick = 1; continue; }
    if (!strcmp(a, "--corrupt-for-test")) { req.corrupt = 1; continue; }
    if ((v = flag_value(argc, argv, &i, "--reps"))) {
      double d;
      if (parse_double(v, &d) || d < 1 || d > 1000 || d != (int)d) return usage_error("--reps must be an integer in [1, 1000]");
      req.reps = (int)d;
      continue;
    }
    int matched = 0;
    for (size_t k = 0; k < sizeof MAP / sizeof MAP[0] && !matched; k++) {
      int save = i;
      if (!(v = flag_value(argc, argv, &i, MAP[k].flag))) {
        i = save;
        continue;
      }
      matched = 1;
      vc_jv jv;
      memset(&jv, 0, sizeof jv);
      if (MAP[k].num) {
        jv.kind = JV_NUM;
        if (parse_double(v, &jv.num)) {
          snprintf(msg, sizeof msg, "%s needs a number, got %.60s", MAP[k].flag, v);
          return usage_error(msg);
        }
      } else {
        jv.kind = JV_STR;
        if (strlen(v) >= sizeof jv.str) return usage_error("value too long");
        snprintf(jv.str, sizeof jv.str, "%s", v);
      }
      if (vc_apply_param(&req, MAP[k].param, &jv, msg, sizeof msg)) return usage_error(msg);
    }
    if (!matched) {
      snprintf(msg, sizeof msg, "unknown or incomplete option %.60s", a);
      return usage_error(msg);
    }
  }
  if ((job->needs & VC_NEEDS_TARGET) && !req.target[0]) return usage_error("this job needs --target PATH");
  if ((job->needs & VC_NEEDS_PEER) && !req.peer[0]) return usage_error("this job needs --peer HOST:PORT");
  return vc_run_job(job, &req);
}

static int cmd_serve(int argc, char **argv) {
  const char *listen = NULL;
  double max_s = 600;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if ((v = flag_value(argc, argv, &i, "--listen"))) listen = v;
    else if ((v = flag_value(argc, argv, &i, "--max-seconds"))) {
      if (parse_double(v, &max_s) || max_s <= 0 || max_s > 86400) return usage_error("--max-seconds must be in (0, 86400]");
    } else {
      return usage_error("serve takes --listen ADDR:PORT [--max-seconds S]");
    }
  }
  if (!listen) return usage_error("serve needs --listen ADDR:PORT");
  return vc_serve_main(listen, max_s);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
  if (argc < 2) return usage_error("missing command");
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run") || !strcmp(cmd, "agent") || !strcmp(cmd, "serve")) vc_fix_address_layout(argv);
  if (!strcmp(cmd, "run")) return cmd_run(argc, argv);
  if (argc > 2 && strcmp(cmd, "serve") && strcmp(cmd, "stop")) return usage_error("this command takes no arguments");
  if (!strcmp(cmd, "version")) {
    vc_emit_ident("version", NULL);
    return 0;
  }
  if (!strcmp(cmd, "env")) {
    vc_jb b;
    jb_begin(&b);
    jb_str(&b, "type", "env");
    vc_env_fields(&b);
    jb_end(&b);
    vc_emit(&b);
    return 0;
  }
  if (!strcmp(cmd, "agent")) return vc_agent_main();
  if (!strcmp(cmd, "serve")) return cmd_serve(argc, argv);
  if (!strcmp(cmd, "stop")) {
    if (argc != 4 || strcmp(argv[2], "--peer")) return usage_error("stop needs --peer HOST:PORT");
    return vc_stop_main(argv[3]);
  }
  if (!strcmp(cmd, "help") || !strcmp(cmd, "--help")) {
    fputs(USAGE, stderr);
    return 0;
  }
  return usage_error("unknown command");
}
