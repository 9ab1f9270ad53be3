/* JSON line writer (ASCII-only output, non-ASCII escaped as \uXXXX) and a minimal request parser. */
#include "vcwork.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void jb_raw(vc_jb *b, const char *s, size_t n) {
  if (b->len + n + 2 >= sizeof b->buf) {
    b->overflow = 1;
    return;
  }
  memcpy(b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = 0;
}

static void jb_rawf(vc_jb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jb_rawf(vc_jb *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    b->overflow = 1;
    return;
  }
  jb_raw(b, tmp, (size_t)n);
}

/* Decodes one UTF-8 sequence; returns its length, sets *cp (U+FFFD for invalid input). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp) {
  unsigned c = s[0];
  size_t n;
  unsigned v;
  if (c < 0xC2 || c > 0xF4) { *cp = 0xFFFD; return 1; }
  if (c < 0xE0) { n = 2; v = c & 0x1F; }
  else if (c < 0xF0) { n = 3; v = c & 0x0F; }
  else { n = 4; v = c & 0x07; }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
    v = (v << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
  *cp = v;
  return n;
}

static void jb_string(vc_jb *b, const char *s) {
  jb_raw(b, "\"", 1);
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      jb_raw(b, e, 2);
      p++;
    } else if (c == '\n') { jb_raw(b, "\\n", 2); p++; }
    else if (c == '\r') { jb_raw(b, "\\r", 2); p++; }
    else if (c == '\t') { jb_raw(b, "\\t", 2); p++; }
    else if (c < 0x20 || c == 0x7F) { jb_rawf(b, "\\u%04x", c); p++; }
    else if (c < 0x80) { jb_raw(b, (const char *)p, 1); p++; }
    else {
      unsigned cp;
      p += utf8_decode(p, &cp);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        jb_rawf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        jb_rawf(b, "\\u%04x", cp);
      }
    }
  }
  jb_raw(b, "\"", 1);
}

void jb_begin(vc_jb *b) {
  b->len = 0;
  b->overflow = 0;
  b->need_comma = 0;
  b->buf[0] = 0;
  jb_raw(b, "{", 1);
}

void jb_key(vc_jb *b, const char *k) {
  if (b->need_comma) jb_raw(b, ",", 1);
  jb_string(b, k);
  jb_raw(b, ":", 1);
  b->need_comma = 1;
}

void jb_str(vc_jb *b, const char *k, const char *v) { jb_key(b, k); jb_string(b, v); }

void jb_num(vc_jb *b, const char *k, double v) {
  jb_key(b, k);
  if (!isfinite(v)) { b->overflow = 1; return; } /* JSON has no NaN/Inf: the caller reports an error */
  if (v == floor(v) && fabs(v) < 9e15) jb_rawf(b, "%.0f", v);
  else jb_rawf(b, "%.9g", v);
}

void jb_int(vc_jb *b, const char *k, long long v) { jb_key(b, k); jb_rawf(b, "%lld", v); }
void jb_bool(vc_jb *b, const char *k, int v) { jb_key(b, k); jb_raw(b, v ? "true" : "false", v ? 4 : 5); }
void jb_obj_begin(vc_jb *b, const char *k) { jb_key(b, k); jb_raw(b, "{", 1); b->need_comma = 0; }
void jb_obj_end(vc_jb *b) { jb_raw(b, "}", 1); b->need_comma = 1; }
void jb_end(vc_jb *b) { jb_raw(b, "}\n", 2); }

static void write_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return; /* stdout gone: nothing sensible left to do */
    }
    s += w;
    n -= (size_t)w;
  }
}

void vc_emit(vc_jb *b) {
  if (b->overflow) {
    static const char msg[] = "{\"type\":\"error\",\"message\":\"internal: output line overflow or non-finite value\"}\n";
    write_all(1, msg, sizeof msg - 1);
    return;
  }
  write_all(1, b->buf, b->len);
}

void vc_emit_error(const vc_request *req, const char *job, const char *msg) {
  vc_jb b;
  jb_begin(&b);
  jb_str(&b, "type", "error");
  if (req && req->has_id) jb_int(&b, "id", req->id);
  if (job) jb_str(&b, "job", job);
  jb_str(&b, "message", msg);
  jb_end(&b);
  vc_emit(&b);
  fprintf(stderr, "vcwork: %s%s%s\n", job ? job : "", job ? ": " : "", msg);
}

/* ---- parser ------------------------------------------------------------- */

typedef struct {
  const char *s;
  size_t i;
  char *msg;
  size_t msglen;
} jp;

static int perr(jp *p, const char *what) {
  snprintf(p->msg, p->msglen, "malformed request: %s at column %zu", what, p->i + 1);
  return -1;
}

static void ws(jp *p) {
  while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' || p->s[p->i] == '\n') p->i++;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int put_utf8(char *out, size_t cap, size_t *n, unsigned cp) {
  unsigned char t[4];
  size_t k;
  if (cp < 0x80) { t[0] = (unsigned char)cp; k = 1; }
  else if (cp < 0x800) { t[0] = (unsigned char)(0xC0 | (cp >> 6)); t[1] = (unsigned char)(0x80 | (cp & 0x3F)); k = 2; }
  else if (cp < 0x10000) {
    t[0] = (unsigned char)(0xE0 | (cp >> 12)); t[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    t[2] = (unsigned char)(0x80 | (cp & 0x3F)); k = 3;
  } else {
    t[0] = (unsigned char)(0xF0 | (cp >> 18)); t[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (unsigned char)(0x80 | (cp & 0x3F)); k = 4;
  }
  if (*n + k >= cap) return -1;
  memcpy(out + *n, t, k);
  *n += k;
  return 0;
}

static int parse_hex4(jp *p, unsigned *v) {
  *v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hexval(p->s[p->i]);
    if (h < 0) return perr(p, "bad \\u escape");
    *v = (*v << 4) | (unsigned)h;
    p->i++;
  }
  return 0;
}

static int parse_string(jp *p, char *out, size_t cap) {
  size_t n = 0;
  if (p->s[p->i] != '"') return perr(p, "expected string");
  p->i++;
  for (;;) {
    unsigned char c = (unsigned char)p->s[p->i];
    if (c == 0) return perr(p, "unterminated string");
    if (c == '"') { p->i++; break; }
    if (c < 0x20) return perr(p, "control character in string");
    if (c == '\\') {
      p->i++;
      char e = p->s[p->i++];
      unsigned cp;
      switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
          if (parse_hex4(p, &cp)) return -1;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') return perr(p, "lone surrogate");
            p->i += 2;
            if (parse_hex4(p, &lo)) return -1;
            if (lo < 0xDC00 || lo > 0xDFFF) return perr(p, "bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return perr(p, "lone surrogate");
          }
          if (cp == 0) return perr(p, "NUL in string");
          break;
        default: p->i--; return perr(p, "bad escape");
      }
      if (put_utf8(out, cap, &n, cp)) return perr(p, "string too long");
    } else {
      if (n + 1 >= cap) return perr(p, "string too long");
      out[n++] = (char)c;
      p->i++;
    }
  }
  out[n] = 0;
  return 0;
}

static int parse_number(jp *p, double *v) {
  size_t st = p->i;
  const char *s = p->s;
  if (s[p->i] == '-') p->i++;
  if (s[p->i] == '0') p->i++;
  else if (s[p->i] >= '1' && s[p->i] <= '9') while (s[p->i] >= '0' && s[p->i] <= '9') p->i++;
  else return perr(p, "bad number");
  if (s[p->i] == '.') {
    p->i++;
    if (!(s[p->i] >= '0' && s[p->i] <= '9')) return perr(p, "bad number");
    while (s[p->i] >= '0' && s[p->i] <= '9') p->i++;
  }
  if (s[p->i] == 'e' || s[p->i] == 'E') {
    p->i++;
    if (s[p->i] == '+' || s[p->i] == '-') p->i++;
    if (!(s[p->i] >= '0' && s[p->i] <= '9')) return perr(p, "bad number");
    while (s[p->i] >= '0' && s[p->i] <= '9') p->i++;
  }
  char tmp[64];
  size_t len = p->i - st;
  if (len >= sizeof tmp) return perr(p, "number too long");
  memcpy(tmp, s + st, len);
  tmp[len] = 0;
  *v = strtod(tmp, NULL);
  if (!isfinite(*v)) return perr(p, "number out of range");
  return 0;
}

static int parse_object(jp *p, vc_jv **out, int depth);

static int parse_value(jp *p, vc_jv *v, int depth) {
  char c = p->s[p->i];
  if (c == '"') { v->kind = JV_STR; return parse_string(p, v->str, sizeof v->str); }
  if (c == '{') {
    if (depth >= 1) return perr(p, "nesting deeper than one object");
    v->kind = JV_OBJ;
    int n = parse_object(p, &v->kids, depth + 1);
    if (n < 0) return -1;
    v->nkids = n;
    return 0;
  }
  if (c == '[') return perr(p, "arrays are not part of the request schema");
  if (!strncmp(p->s + p->i, "true", 4)) { v->kind = JV_BOOL; v->b = 1; p->i += 4; return 0; }
  if (!strncmp(p->s + p->i, "false", 5)) { v->kind = JV_BOOL; v->b = 0; p->i += 5; return 0; }
  if (!strncmp(p->s + p->i, "null", 4)) { v->kind = JV_NULL; p->i += 4; return 0; }
  v->kind = JV_NUM;
  return parse_number(p, &v->num);
}

static int parse_object(jp *p, vc_jv **out, int depth) {
  int n = 0, cap = 0;
  vc_jv *m = NULL;
  *out = NULL;
  if (p->s[p->i] != '{') return perr(p, "expected object");
  p->i++;
  ws(p);
  if (p->s[p->i] == '}') { p->i++; return 0; }
  for (;;) {
    ws(p);
    if (n >= 32) { perr(p, "too many members"); goto fail; }
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      vc_jv *nm = realloc(m, sizeof *m * (size_t)cap);
      if (!nm) { perr(p, "out of memory"); goto fail; }
      m = nm;
    }
    vc_jv *v = &m[n];
    memset(v, 0, sizeof *v);
    if (parse_string(p, v->key, sizeof v->key)) goto fail;
    for (int k = 0; k < n; k++)
      if (!strcmp(m[k].key, v->key)) { perr(p, "duplicate key"); goto fail; }
    ws(p);
    if (p->s[p->i] != ':') { perr(p, "expected ':'"); goto fail; }
    p->i++;
    ws(p);
    n++; /* count before parsing so a nested failure frees it */
    if (parse_value(p, v, depth)) goto fail;
    ws(p);
    if (p->s[p->i] == ',') { p->i++; continue; }
    if (p->s[p->i] == '}') { p->i++; break; }
    perr(p, "expected ',' or '}'");
    goto fail;
  }
  *out = m;
  return n;
fail:
  vc_json_free(m, n);
  return -1;
}

int vc_json_parse(const char *text, vc_jv **out, char *msg, size_t msglen) {
  jp p = {text, 0, msg, msglen};
  ws(&p);
  int n = parse_object(&p, out, 0);
  if (n < 0) return -1;
  ws(&p);
  if (p.s[p.i] != 0) {
    vc_json_free(*out, n);
    *out = NULL;
    return perr(&p, "trailing characters after the object");
  }
  return n;
}

void vc_json_free(vc_jv *v, int n) {
  if (!v) return;
  for (int i = 0; i < n; i++)
    if (v[i].kind == JV_OBJ) vc_json_free(v[i].kids, v[i].nkids);
  free(v);
}
