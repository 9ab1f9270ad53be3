/*
 * vcwork: one static program whose identical machine code runs natively, in containers,
 * in minimal guests and under qemu-user. Shared declarations.
 *
 * Output contract: stdout carries JSON lines only (see json.c); diagnostics go to stderr.
 */
#ifndef VCWORK_H
#define VCWORK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VCWORK_VERSION
#define VCWORK_VERSION "0.0.0-dev"
#endif

#define VC_MAX_METRICS 8
#define VC_MAX_PARAMS 20
#define VC_MSG 400
#define VC_PATH 1024

/* ---- requests ---------------------------------------------------------- */

/* One job request, from the command line or from an agent request line. Zero means "job default". */
typedef struct {
  int reps;
  double target_ms;
  double size_mb;
  int n;                 /* cpu.fp matrix order */
  char target[VC_PATH];  /* io: file, directory or block device */
  char peer[256];        /* net: HOST:PORT of `vcwork serve` */
  int quick;             /* quick mode: smaller default sizes, said so in params */
  int corrupt;           /* hidden --corrupt-for-test: makes the job's own verification fail */
  int pin_cpu1;          /* pinCpu + 1: run the whole job (setup too) on that one CPU; 0 = wherever */
  int has_id;            /* agent mode: echo "id" */
  long long id;
} vc_request;

/* ---- jobs --------------------------------------------------------------- */

typedef struct {
  const char *id;
  const char *unit;
  const char *better; /* "higher" | "lower" */
} vc_metric;

enum vc_param_kind { VP_STR, VP_NUM, VP_BOOL };

/* An effective parameter echoed in each sample line's flat "params" object. */
typedef struct {
  const char *key;
  enum vc_param_kind kind;
  char str[VC_PATH];
  double num;
  int b;
} vc_param;

typedef struct {
  const vc_request *req;
  double target_ms;                 /* effective target for one repetition */
  double values[VC_MAX_METRICS];    /* filled by a repetition, in metric order */
  double duration_ms;               /* timed part of the repetition */
  long long iterations;             /* units of work timed in the repetition */
  vc_param params[VC_MAX_PARAMS];
  int nparams;
  char err[VC_MSG];
  void *state;                      /* job-private */
} vc_ctx;

typedef struct {
  const char *id;
  const vc_metric *metrics;
  int nmetrics;
  int needs; /* VC_NEEDS_* */
  int (*setup)(vc_ctx *);           /* 0 ok, -1 error (ctx->err) */
  int (*rep)(vc_ctx *, int rep);    /* one repetition, 1-based */
  void (*teardown)(vc_ctx *);       /* always called after setup, even a failed one: accepts partial state */
} vc_job;

#define VC_NEEDS_TARGET 1
#define VC_NEEDS_PEER 2

extern const vc_job vc_job_cpu_int, vc_job_cpu_fp, vc_job_mem_stream, vc_job_mmu_gups,
    vc_job_mmu_pagefault, vc_job_proc_fork, vc_job_sys_syscall, vc_job_sys_ctxsw, vc_job_io_seq,
    vc_job_io_rand, vc_job_io_fsync, vc_job_net_stream, vc_job_net_rr;

const vc_job *vc_find_job(const char *id);
/* Runs setup, reps, teardown; prints sample + summary lines or one error line. 0 ok, 1 failed. */
int vc_run_job(const vc_job *job, const vc_request *req);

/* ---- util.c ------------------------------------------------------------- */

int64_t vc_now_ns(void);
double vc_ms_since(int64_t t0);
int vc_fail(vc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vc_param_str(vc_ctx *c, const char *key, const char *v);
void vc_param_num(vc_ctx *c, const char *key, double v);
void vc_param_bool(vc_ctx *c, const char *key, int v);
double vc_target_ms(const vc_ctx *c, double full_default, double quick_default);
double vc_size_mb(const vc_ctx *c, double full_default, double quick_default);
/* MemAvailable from /proc/meminfo in MiB, or -1. */
double vc_mem_available_mb(void);
/* Sum of all last-level caches in KiB from sysfs, or -1 when unknown. */
long long vc_llc_total_kb(void);
/* Caps a memory request to frac x MemAvailable; records requestedMb/capped params when it caps. */
double vc_cap_mb(vc_ctx *c, double mb, double frac);
void *vc_alloc_pages(size_t bytes, int no_thp);
void vc_free_pages(void *p, size_t bytes);
uint64_t vc_rand64(uint64_t *s);
/* Pins the calling thread to one CPU, keeping its former mask in *saved: 1 pinned, 0 not (errno set). */
int vc_pin_to_cpu(int cpu, cpu_set_t *saved);
/* Calibrated batch: fn(ctx, n) runs n units. Calibrates n so one batch lasts ~target, then times it. */
typedef int (*vc_batch_fn)(vc_ctx *c, long long n);
int vc_run_calibrated(vc_ctx *c, vc_batch_fn fn);
int vc_cmp_u32(const void *a, const void *b);
double vc_percentile_u32(uint32_t *sorted, size_t n, double p);

/* ---- env.c -------------------------------------------------------------- */

/* steal ticks from /proc/stat (cpu line, field 8); -1 when unreadable */
long long vc_steal_ticks(void);
/* appends "stealTicks":..,"clocksource":..,"arch":..,"cpus":..,"kernel":..,"version":.. */
struct vc_jb;
void vc_env_fields(struct vc_jb *b);
const char *vc_arch(void);
/* re-executes itself with address-space randomisation off (see env.c); returns when it cannot */
void vc_fix_address_layout(char **argv);
/* "fixed", or "randomized (why)" */
const char *vc_address_layout(void);

/* ---- json.c ------------------------------------------------------------- */

typedef struct vc_jb {
  char buf[16384];
  size_t len;
  int overflow;
  int need_comma;
} vc_jb;

void jb_begin(vc_jb *b);
void jb_end(vc_jb *b);              /* closes the object and appends '\n' */
void jb_key(vc_jb *b, const char *k);
void jb_str(vc_jb *b, const char *k, const char *v);
void jb_num(vc_jb *b, const char *k, double v);
void jb_int(vc_jb *b, const char *k, long long v);
void jb_bool(vc_jb *b, const char *k, int v);
void jb_obj_begin(vc_jb *b, const char *k);
void jb_obj_end(vc_jb *b);
/* Writes the finished line to stdout with write(2) (one call, flushed). */
void vc_emit(vc_jb *b);
void vc_emit_error(const vc_request *req, const char *job, const char *msg);

/* Minimal parser for the flat agent request schema. */
enum vc_jv_kind { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_OBJ };
typedef struct vc_jv {
  char key[64];
  enum vc_jv_kind kind;
  double num;
  int b;
  char str[VC_PATH];
  struct vc_jv *kids; /* JV_OBJ members (flat) */
  int nkids;
} vc_jv;
/* Parses one object line into members (top level) with at most one nested flat object level.
   Returns number of members, or -1 with msg set. Members/kids are malloc'd: free with vc_json_free. */
int vc_json_parse(const char *text, vc_jv **out, char *msg, size_t msglen);
void vc_json_free(vc_jv *v, int n);

/* ---- modes -------------------------------------------------------------- */

/* {"type":"ready"|"version",["id":N,]"version":..,"arch":..} */
void vc_emit_ident(const char *type, const vc_request *req);

int vc_agent_main(void);
int vc_serve_main(const char *listen, double max_seconds);
int vc_stop_main(const char *peer);
/* Parses HOST:PORT (IPv4, [IPv6], localhost) into a sockaddr; 0 ok. */
struct sockaddr_storage;
int vc_parse_hostport(const char *s, struct sockaddr_storage *ss, unsigned *len, char *msg, size_t msglen);
/* Applies one request parameter (agent "params" member or CLI flag). 0 ok, -1 with msg. */
int vc_apply_param(vc_request *r, const char *key, const vc_jv *v, char *msg, size_t msglen);

/* io.c cleanup hook for signals */
void vc_io_cleanup_on_signal(void);

#endif
