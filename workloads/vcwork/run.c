/* Job registry, request parameters and the repetition driver shared by `run` and `agent`. */
#include "vcwork.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const vc_job *const JOBS[] = {
    &vc_job_cpu_int,  &vc_job_cpu_fp,   &vc_job_mem_stream, &vc_job_mmu_gups, &vc_job_mmu_pagefault,
    &vc_job_proc_fork, &vc_job_sys_syscall, &vc_job_sys_ctxsw, &vc_job_io_seq,  &vc_job_io_rand,
    &vc_job_io_fsync, &vc_job_net_stream, &vc_job_net_rr,
};

const vc_job *vc_find_job(const char *id) {
  for (size_t i = 0; i < sizeof JOBS / sizeof JOBS[0]; i++)
    if (!strcmp(JOBS[i]->id, id)) return JOBS[i];
  return NULL;
}

static int need_num(const char *key, const vc_jv *v, double lo, double hi, double *out, char *msg, size_t ml) {
  if (v->kind != JV_NUM || !(v->num >= lo && v->num <= hi)) {
    snprintf(msg, ml, "param %s must be a number in [%g, %g]", key, lo, hi);
    return -1;
  }
  *out = v->num;
  return 0;
}

int vc_apply_param(vc_request *r, const char *key, const vc_jv *v, char *msg, size_t ml) {
  double d;
  if (!strcmp(key, "targetMs")) {
    if (need_num(key, v, 1, 3600000, &d, msg, ml)) return -1;
    r->target_ms = d;
  } else if (!strcmp(key, "sizeMb")) {
    if (need_num(key, v, 0.0625, 1 << 20, &d, msg, ml)) return -1;
    r->size_mb = d;
  } else if (!strcmp(key, "n")) {
    if (need_num(key, v, 8, 4096, &d, msg, ml)) return -1;
    if (d != floor(d)) { snprintf(msg, ml, "param n must be an integer"); return -1; }
    r->n = (int)d;
  } else if (!strcmp(key, "target") || !strcmp(key, "peer")) {
    if (v->kind != JV_STR || !v->str[0]) { snprintf(msg, ml, "param %s must be a non-empty string", key); return -1; }
    char *dst = !strcmp(key, "target") ? r->target : r->peer;
    size_t cap = !strcmp(key, "target") ? sizeof r->target : sizeof r->peer;
    if (strlen(v->str) >= cap) { snprintf(msg, ml, "param %s is too long", key); return -1; }
    snprintf(dst, cap, "%s", v->str);
  } else if (!strcmp(key, "mode")) {
    if (v->kind != JV_STR || (strcmp(v->str, "quick") && strcmp(v->str, "full"))) {
      snprintf(msg, ml, "param mode must be \"quick\" or \"full\"");
      return -1;
    }
    r->quick = !strcmp(v->str, "quick");
  } else if (!strcmp(key, "pinCpu")) {
    if (need_num(key, v, 0, CPU_SETSIZE - 1, &d, msg, ml)) return -1;
    if (d != floor(d)) { snprintf(msg, ml, "param pinCpu must be an integer"); return -1; }
    r->pin_cpu1 = (int)d + 1;
  } else if (!strcmp(key, "corruptForTest")) {
    if (v->kind == JV_BOOL) r->corrupt = v->b;
    else if (v->kind == JV_NUM && (v->num == 0 || v->num == 1)) r->corrupt = v->num == 1;
    else { snprintf(msg, ml, "param corruptForTest must be a boolean"); return -1; }
  } else {
    snprintf(msg, ml, "unknown param %.40s (known: targetMs, sizeMb, n, target, peer, mode, pinCpu)", key);
    return -1;
  }
  return 0;
}

static void emit_params(vc_jb *b, const vc_ctx *c) {
  jb_obj_begin(b, "params");
  for (int i = 0; i < c->nparams; i++) {
    const vc_param *p = &c->params[i];
    if (p->kind == VP_STR) jb_str(b, p->key, p->str);
    else if (p->kind == VP_NUM) jb_num(b, p->key, p->num);
    else jb_bool(b, p->key, p->b);
  }
  jb_obj_end(b);
}

/*
 * pinCpu: the caller (virtcheck bench and ab) puts the repetitions it compares on the same CPU and
 * walks the CPUs between them: sessions that each stay on "their" CPU otherwise differ by where they
 * run (seen: one vCPU of a shared VM with 25-40% less memory bandwidth than the other for minutes).
 */
static int pin_for_job(const vc_request *req, cpu_set_t *saved, char *msg, size_t ml) {
  if (!req->pin_cpu1) return 0;
  if (vc_pin_to_cpu(req->pin_cpu1 - 1, saved)) return 1;
  snprintf(msg, ml, "cannot pin to CPU %d: %s", req->pin_cpu1 - 1, strerror(errno));
  return -1;
}

/* The job itself: setup, the repetitions with their sample lines, the summary, teardown. */
static int run_job_body(const vc_job *job, const vc_request *req) {
  static vc_ctx c; /* large (params hold paths); one job at a time */
  memset(&c, 0, sizeof c);
  c.req = req;
  if (req->pin_cpu1) vc_param_num(&c, "pinnedCpu", req->pin_cpu1 - 1);
  if ((job->needs & VC_NEEDS_TARGET) && !req->target[0]) {
    vc_emit_error(req, job->id, "this job needs a target path: --target PATH (file, directory or block device)");
    return 1;
  }
  if ((job->needs & VC_NEEDS_PEER) && !req->peer[0]) {
    vc_emit_error(req, job->id, "this job needs a peer: --peer HOST:PORT of a running `vcwork serve`");
    return 1;
  }
  c.target_ms = vc_target_ms(&c, 1000, 200);
  vc_param_str(&c, "mode", req->quick ? "quick" : "full");
  if (job->setup(&c)) {
    vc_emit_error(req, job->id, c.err[0] ? c.err : "setup failed");
    job->teardown(&c); /* teardowns accept partial state */
    return 1;
  }
  int reps = req->reps > 0 ? req->reps : 1;
  int rc = 0;
  for (int r = 1; r <= reps && rc == 0; r++) {
    c.duration_ms = 0;
    c.iterations = 0;
    c.err[0] = 0;
    long long s0 = vc_steal_ticks();
    if (job->rep(&c, r)) {
      vc_emit_error(req, job->id, c.err[0] ? c.err : "repetition failed");
      rc = 1;
      break;
    }
    long long s1 = vc_steal_ticks();
    double dur = round(c.duration_ms * 1000) / 1000; /* printed with µs resolution; short agrees with it */
    for (int m = 0; m < job->nmetrics; m++) {
      if (!isfinite(c.values[m]) || c.values[m] < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "metric %s produced an invalid value", job->metrics[m].id);
        vc_emit_error(req, job->id, msg);
        rc = 1;
        break;
      }
      vc_jb b;
      jb_begin(&b);
      jb_str(&b, "type", "sample");
      if (req->has_id) jb_int(&b, "id", req->id);
      jb_str(&b, "job", job->id);
      jb_str(&b, "metric", job->metrics[m].id);
      jb_str(&b, "unit", job->metrics[m].unit);
      jb_str(&b, "better", job->metrics[m].better);
      jb_num(&b, "value", c.values[m]);
      jb_int(&b, "rep", r);
      jb_num(&b, "durationMs", dur);
      jb_num(&b, "targetMs", c.target_ms);
      jb_int(&b, "iterations", c.iterations);
      jb_bool(&b, "short", dur < c.target_ms);
      if (s0 >= 0 && s1 >= s0) jb_int(&b, "stealTicksDelta", s1 - s0);
      emit_params(&b, &c);
      jb_end(&b);
      vc_emit(&b);
    }
  }
  if (rc == 0) {
    vc_jb b;
    jb_begin(&b);
    jb_str(&b, "type", "summary");
    if (req->has_id) jb_int(&b, "id", req->id);
    jb_str(&b, "job", job->id);
    jb_int(&b, "reps", reps);
    jb_obj_begin(&b, "env");
    vc_env_fields(&b);
    jb_obj_end(&b);
    jb_end(&b);
    vc_emit(&b);
  }
  job->teardown(&c);
  return rc;
}

int vc_run_job(const vc_job *job, const vc_request *req) {
  cpu_set_t saved;
  char pin_msg[96];
  int pinned = pin_for_job(req, &saved, pin_msg, sizeof pin_msg);
  if (pinned < 0) {
    vc_emit_error(req, job->id, pin_msg);
    return 1;
  }
  int rc = run_job_body(job, req);
  if (pinned) sched_setaffinity(0, sizeof saved, &saved); /* the agent runs the next job unpinned */
  return rc;
}
