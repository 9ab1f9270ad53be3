/*
 * `vcwork agent`: long-running mode used by the runner in every tier (stdio pipes natively and in
 * containers, a serial port in guests, stdio under qemu-user).
 *
 *   start:    {"type":"ready","version":"...","arch":"x86_64"}
 *   request:  {"id":7,"job":"cpu.int","reps":1,"params":{"targetMs":200}}
 *             -> sample lines and a summary line carrying "id":7, then {"type":"done","id":7}
 *                or {"type":"error","id":7,"job":"cpu.int","message":"..."}
 *   request:  {"id":8,"op":"env"}      -> {"type":"env","id":8,...}
 *   request:  {"id":9,"op":"version"}  -> {"type":"version","id":9,"version":"...","arch":"..."}
 *   request:  {"id":10,"op":"quit"}    -> exits 0 (EOF on stdin does too)
 *
 * A malformed request gets an error line (with the id when one could be read) and the agent goes on.
 * Empty lines are ignored; a trailing '\r' is dropped (serial consoles).
 */
#include "vcwork.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define LINE_MAX_BYTES 65536

static void emit_simple(const char *type, const vc_request *r, int with_env) {
  vc_jb b;
  jb_begin(&b);
  jb_str(&b, "type", type);
  if (r && r->has_id) jb_int(&b, "id", r->id);
  if (with_env) vc_env_fields(&b);
  jb_end(&b);
  vc_emit(&b);
}

/* "ready" (agent start) and "version" lines share their fields */
void vc_emit_ident(const char *type, const vc_request *r) {
  vc_jb b;
  jb_begin(&b);
  jb_str(&b, "type", type);
  if (r && r->has_id) jb_int(&b, "id", r->id);
  jb_str(&b, "version", VCWORK_VERSION);
  jb_str(&b, "arch", vc_arch());
  if (!strcmp(type, "ready")) jb_str(&b, "addressLayout", vc_address_layout());
  jb_end(&b);
  vc_emit(&b);
}

/* returns 1 when the agent must exit */
static int handle_line(char *line) {
  static vc_request req;
  memset(&req, 0, sizeof req);
  char msg[VC_MSG];
  vc_jv *m = NULL;
  int n = vc_json_parse(line, &m, msg, sizeof msg);
  if (n < 0) {
    vc_emit_error(NULL, NULL, msg);
    return 0;
  }
  const vc_jv *op = NULL, *job = NULL, *params = NULL;
  int rc = 0;
  /* the id first, so that every later error carries it */
  for (int i = 0; i < n; i++)
    if (!strcmp(m[i].key, "id")) {
      if (m[i].kind != JV_NUM || m[i].num < 0 || m[i].num > 9007199254740991.0 || m[i].num != floor(m[i].num)) {
        vc_emit_error(NULL, NULL, "request id must be a non-negative integer");
        goto out;
      }
      req.has_id = 1;
      req.id = (long long)m[i].num;
    }
  if (!req.has_id) {
    vc_emit_error(NULL, NULL, "request needs a numeric \"id\"");
    goto out;
  }
  for (int i = 0; i < n; i++) {
    const vc_jv *v = &m[i];
    if (!strcmp(v->key, "id")) continue;
    if (!strcmp(v->key, "op")) op = v;
    else if (!strcmp(v->key, "job")) job = v;
    else if (!strcmp(v->key, "params")) params = v;
    else if (!strcmp(v->key, "reps")) {
      if (v->kind != JV_NUM || v->num < 1 || v->num > 1000 || v->num != floor(v->num)) {
        vc_emit_error(&req, NULL, "reps must be an integer in [1, 1000]");
        goto out;
      }
      req.reps = (int)v->num;
    } else {
      snprintf(msg, sizeof msg, "unknown request key %.40s (known: id, op, job, reps, params)", v->key);
      vc_emit_error(&req, NULL, msg);
      goto out;
    }
  }
  if ((op == NULL) == (job == NULL)) {
    vc_emit_error(&req, NULL, "a request has exactly one of \"op\" or \"job\"");
    goto out;
  }
  if (op) {
    if (op->kind != JV_STR || params || req.reps) {
      vc_emit_error(&req, NULL, "an op request is {\"id\":N,\"op\":\"env\"|\"version\"|\"quit\"}");
    } else if (!strcmp(op->str, "env")) {
      emit_simple("env", &req, 1);
    } else if (!strcmp(op->str, "version")) {
      vc_emit_ident("version", &req);
    } else if (!strcmp(op->str, "quit")) {
      rc = 1;
    } else {
      vc_emit_error(&req, NULL, "unknown op (known: env, version, quit)");
    }
    goto out;
  }
  if (job->kind != JV_STR) {
    vc_emit_error(&req, NULL, "job must be a string");
    goto out;
  }
  const vc_job *j = vc_find_job(job->str);
  if (!j) {
    snprintf(msg, sizeof msg, "unknown job %.60s", job->str);
    vc_emit_error(&req, NULL, msg);
    goto out;
  }
  if (params) {
    if (params->kind != JV_OBJ) {
      vc_emit_error(&req, j->id, "params must be an object");
      goto out;
    }
    for (int i = 0; i < params->nkids; i++)
      if (vc_apply_param(&req, params->kids[i].key, &params->kids[i], msg, sizeof msg)) {
        vc_emit_error(&req, j->id, msg);
        goto out;
      }
  }
  if (vc_run_job(j, &req) == 0) emit_simple("done", &req, 0);
out:
  vc_json_free(m, n);
  return rc;
}

static struct termios g_saved_tty;
static int g_tty_changed;

static void tty_raw(void) {
  /* on a serial console: no echo, no line editing, no CR/LF translation */
  struct termios t;
  if (!isatty(0) || tcgetattr(0, &t)) return;
  g_saved_tty = t;
  t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
  t.c_oflag &= ~(tcflag_t)OPOST;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(0, TCSANOW, &t) == 0) g_tty_changed = 1;
}

static void tty_restore(void) {
  if (g_tty_changed) tcsetattr(0, TCSANOW, &g_saved_tty);
}

int vc_agent_main(void) {
  tty_raw();
  vc_emit_ident("ready", NULL);
  static char buf[LINE_MAX_BYTES + 1];
  size_t len = 0;
  int discarding = 0;
  for (;;) {
    ssize_t r = read(0, buf + len, LINE_MAX_BYTES - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break; /* EOF or error: the runner went away */
    len += (size_t)r;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
      if (buf[i] != '\n') continue;
      buf[i] = 0;
      char *line = buf + start;
      size_t ll = i - start;
      start = i + 1;
      if (discarding) {
        discarding = 0;
        continue;
      }
      if (strlen(line) != ll) {
        vc_emit_error(NULL, NULL, "malformed request: NUL byte in line");
        continue;
      }
      if (ll && line[ll - 1] == '\r') line[--ll] = 0;
      if (strspn(line, " \t") == ll) continue;
      if (handle_line(line)) {
        tty_restore();
        return 0;
      }
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    if (len == LINE_MAX_BYTES) {
      if (!discarding) vc_emit_error(NULL, NULL, "request line longer than 65536 bytes");
      discarding = 1;
      len = 0;
    }
  }
  tty_restore();
  return 0;
}
