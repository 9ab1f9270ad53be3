/*
 * Network jobs against `vcwork serve` (the peer), TCP only.
 *
 * Wire protocol, one header line per connection:
 *   "VCW1 stream <bufBytes>\n"  client sends bytes until it shuts down its write side; the server answers
 *                               "VCW1 got <bytes> <badSamples>\n" (every 512th byte is checked against the pattern)
 *   "VCW1 rr <req> <resp>\n"    request/response: the server reads <req> bytes and answers <resp> bytes that start
 *                               with the request's first 8 bytes (a sequence number), until the client closes
 *   "VCW1 quit\n"               the server answers "VCW1 bye\n" and exits 0
 *
 * net.stream: bulk transfer for the target time; Gbit/s = bytes x 8 / (first send .. server's byte count received).
 * net.rr:     netperf TCP_RR style, 100-byte request, 200-byte response, one transaction in flight.
 */
#include "vcwork.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define STREAM_BUF (128u * 1024u)
#define RR_REQ 100u
#define RR_RESP 200u
#define IO_TIMEOUT_S 10
#define CHECK_STRIDE 512u

static uint8_t pat(uint32_t i) { return (uint8_t)(i ^ (i >> 8) ^ (i >> 16) ^ 0x5A); }

int vc_parse_hostport(const char *s, struct sockaddr_storage *ss, unsigned *len, char *msg, size_t ml) {
  char host[256];
  const char *colon;
  memset(ss, 0, sizeof *ss);
  if (s[0] == '[') {
    const char *rb = strchr(s, ']');
    if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof host) goto bad;
    memcpy(host, s + 1, (size_t)(rb - s - 1));
    host[rb - s - 1] = 0;
    colon = rb + 1;
  } else {
    colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host || colon == s) goto bad;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
  }
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (!colon[1] || *end || port < 0 || port > 65535) goto bad;
  if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return 0;
  }
bad:
  snprintf(msg, ml, "bad address %.200s: expected IPv4:PORT, [IPv6]:PORT or localhost:PORT (no name lookup)", s);
  return -1;
}

static void set_timeouts(int fd, int secs) {
  struct timeval tv = {secs, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int send_all(int fd, const void *p, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t w = send(fd, (const char *)p + put, n - put, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    put += (size_t)w;
  }
  return 0;
}

/* 0 ok, 1 clean EOF before any byte, -1 error/timeout/EOF mid-message */
static int recv_all(int fd, void *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = recv(fd, (char *)p + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 && got == 0) return 1;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int recv_line(int fd, char *buf, size_t cap) {
  size_t n = 0;
  while (n + 1 < cap) {
    char ch;
    ssize_t r = recv(fd, &ch, 1, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    if (ch == '\n') {
      buf[n] = 0;
      return 0;
    }
    buf[n++] = ch;
  }
  return -1;
}

static int connect_peer(const char *peer, int *out, char *msg, size_t ml) {
  struct sockaddr_storage ss;
  unsigned len;
  if (vc_parse_hostport(peer, &ss, &len, msg, ml)) return -1;
  if (((struct sockaddr_in *)&ss)->sin_port == 0) {
    snprintf(msg, ml, "peer %s has port 0", peer);
    return -1;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    snprintf(msg, ml, "socket: %s", strerror(errno));
    return -1;
  }
  int rc = connect(fd, (struct sockaddr *)&ss, len);
  if (rc < 0 && errno == EINPROGRESS) {
    struct pollfd pf = {fd, POLLOUT, 0};
    rc = poll(&pf, 1, 5000);
    if (rc == 1) {
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
      rc = err ? -1 : 0;
      errno = err;
    } else {
      if (rc == 0) errno = ETIMEDOUT;
      rc = -1;
    }
  }
  if (rc < 0) {
    snprintf(msg, ml, "cannot connect to peer %s: %s", peer, strerror(errno ? errno : ETIMEDOUT));
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  set_timeouts(fd, IO_TIMEOUT_S);
  *out = fd;
  return 0;
}

/* ---- client jobs -------------------------------------------------------- */

typedef struct {
  int fd;
  uint8_t *buf;
  uint32_t *lat;
  size_t lat_cap;
} net_state;

static int net_setup_common(vc_ctx *c, size_t buflen) {
  net_state *s = calloc(1, sizeof *s);
  if (!s) return vc_fail(c, "out of memory");
  s->fd = -1;
  c->state = s;
  s->buf = malloc(buflen);
  if (!s->buf) return vc_fail(c, "out of memory");
  vc_param_str(c, "peer", c->req->peer);
  /* fail early with a clear message when the peer is not there */
  char msg[VC_MSG];
  int fd;
  if (connect_peer(c->req->peer, &fd, msg, sizeof msg)) return vc_fail(c, "%s", msg);
  close(fd); /* the peer serves connections one after another; this one ends at once */
  return 0;
}

static void net_teardown(vc_ctx *c) {
  net_state *s = c->state;
  if (s) {
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    free(s->lat);
  }
  free(s);
  c->state = NULL;
}

static int stream_setup(vc_ctx *c) {
  if (net_setup_common(c, STREAM_BUF)) return -1;
  net_state *s = c->state;
  for (uint32_t i = 0; i < STREAM_BUF; i++) s->buf[i] = pat(i);
  if (c->req->corrupt) s->buf[CHECK_STRIDE * 3] ^= 0xFF;
  vc_param_num(c, "bufferBytes", STREAM_BUF);
  vc_param_str(c, "direction", "to-peer");
  return 0;
}

static int stream_rep(vc_ctx *c, int rep) {
  (void)rep;
  net_state *s = c->state;
  char msg[VC_MSG];
  if (connect_peer(c->req->peer, &s->fd, msg, sizeof msg)) return vc_fail(c, "%s", msg);
  char hdr[64];
  int hl = snprintf(hdr, sizeof hdr, "VCW1 stream %u\n", STREAM_BUF);
  if (send_all(s->fd, hdr, (size_t)hl)) return vc_fail(c, "peer %s: header send failed: %s", c->req->peer, strerror(errno));
  unsigned long long total = 0;
  int64_t t0 = vc_now_ns();
  do {
    if (send_all(s->fd, s->buf, STREAM_BUF))
      return vc_fail(c, "peer %s: send failed after %llu bytes: %s", c->req->peer, total, strerror(errno));
    total += STREAM_BUF;
  } while (vc_ms_since(t0) < c->target_ms);
  shutdown(s->fd, SHUT_WR);
  char line[128];
  if (recv_line(s->fd, line, sizeof line))
    return vc_fail(c, "peer %s did not confirm the byte count: %s", c->req->peer, strerror(errno));
  c->duration_ms = vc_ms_since(t0);
  close(s->fd);
  s->fd = -1;
  unsigned long long got, bad;
  if (sscanf(line, "VCW1 got %llu %llu", &got, &bad) != 2)
    return vc_fail(c, "peer %s answered an unexpected line", c->req->peer);
  if (got != total || bad != 0)
    return vc_fail(c, "verification failed: sent %llu bytes, peer received %llu with %llu pattern mismatches", total, got,
                   bad);
  c->iterations = (long long)(total / STREAM_BUF);
  vc_param_num(c, "bytes", (double)total);
  c->values[0] = (double)total * 8.0 / (c->duration_ms / 1000.0) / 1e9;
  return 0;
}

static const vc_metric STREAM_METRICS[] = {{"throughput", "Gbit/s", "higher"}};
const vc_job vc_job_net_stream = {"net.stream", STREAM_METRICS, 1, VC_NEEDS_PEER, stream_setup, stream_rep, net_teardown};

/* net.rr measures the network path, not the host's cross-CPU wakeup: with one transaction in flight,
 * a client and peer on different CPUs of a small (para)virtual host pay a 40-60 us wakeup per
 * transaction, and the scheduler picks the placement at random, so ratios flipped 13x between runs.
 * The client pins itself to its current CPU for the repetition and the peer follows it
 * (SO_INCOMING_CPU), the way ctxsw pins its pair; the client CPU is recorded in the params. */
static int rr_setup(vc_ctx *c) {
  if (net_setup_common(c, RR_RESP)) return -1;
  net_state *s = c->state;
  s->lat_cap = 65536;
  s->lat = malloc(s->lat_cap * sizeof(uint32_t));
  if (!s->lat) return vc_fail(c, "out of memory");
  vc_param_num(c, "requestBytes", RR_REQ);
  vc_param_num(c, "responseBytes", RR_RESP);
  vc_param_num(c, "inFlight", 1);
  return 0;
}

static int rr_rep(vc_ctx *c, int rep) {
  (void)rep;
  net_state *s = c->state;
  char msg[VC_MSG];
  if (connect_peer(c->req->peer, &s->fd, msg, sizeof msg)) return vc_fail(c, "%s", msg);
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  cpu_set_t saved;
  int cpu = sched_getcpu();
  int pinned = vc_pin_to_cpu(cpu, &saved);
  vc_param_num(c, "clientCpu", pinned ? cpu : -1);
  char hdr[64];
  int hl = snprintf(hdr, sizeof hdr, "VCW1 rr %u %u\n", RR_REQ, RR_RESP);
  if (send_all(s->fd, hdr, (size_t)hl)) return vc_fail(c, "peer %s: header send failed: %s", c->req->peer, strerror(errno));
  uint8_t req[RR_REQ];
  for (uint32_t i = 0; i < RR_REQ; i++) req[i] = pat(i);
  size_t n = 0;
  uint64_t seq = 0;
  int64_t start = vc_now_ns(), t = start;
  for (;;) {
    seq++;
    memcpy(req, &seq, 8);
    if (send_all(s->fd, req, RR_REQ) || recv_all(s->fd, s->buf, RR_RESP))
      return vc_fail(c, "peer %s: transaction %llu failed: %s", c->req->peer, (unsigned long long)seq,
                     errno ? strerror(errno) : "connection closed");
    int64_t t1 = vc_now_ns();
    uint64_t echoed;
    memcpy(&echoed, s->buf, 8);
    uint64_t expect = seq + (uint64_t)c->req->corrupt;
    if (echoed != expect)
      return vc_fail(c, "verification failed: response carries sequence %llu, expected %llu", (unsigned long long)echoed,
                     (unsigned long long)expect);
    for (uint32_t i = 8; i < RR_RESP; i++)
      if (s->buf[i] != pat(i)) return vc_fail(c, "verification failed: response byte %u differs from the pattern", i);
    if (n == s->lat_cap) {
      if (s->lat_cap >= (8u << 20)) break;
      uint32_t *nl = realloc(s->lat, s->lat_cap * 2 * sizeof(uint32_t));
      if (!nl) break;
      s->lat = nl;
      s->lat_cap *= 2;
    }
    uint64_t l = (uint64_t)(t1 - t);
    s->lat[n++] = l > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)l;
    t = t1;
    if ((double)(t1 - start) / 1e6 >= c->target_ms) break;
  }
  close(s->fd);
  s->fd = -1;
  if (pinned) sched_setaffinity(0, sizeof saved, &saved);
  c->duration_ms = (double)(t - start) / 1e6;
  c->iterations = (long long)n;
  qsort(s->lat, n, sizeof(uint32_t), vc_cmp_u32);
  c->values[0] = (double)n / (c->duration_ms / 1000.0);
  c->values[1] = vc_percentile_u32(s->lat, n, 50) / 1000.0;
  c->values[2] = vc_percentile_u32(s->lat, n, 99) / 1000.0;
  return 0;
}

static const vc_metric RR_METRICS[] = {
    {"tps", "trans/s", "higher"}, {"p50", "\xc2\xb5s", "lower"}, {"p99", "\xc2\xb5s", "lower"}};
const vc_job vc_job_net_rr = {"net.rr", RR_METRICS, 3, VC_NEEDS_PEER, rr_setup, rr_rep, net_teardown};

/* ---- serve -------------------------------------------------------------- */

static int serve_stream(int fd, const char *arg, int64_t deadline) {
  char *end;
  unsigned long bufsz = strtoul(arg, &end, 10);
  if (*end || bufsz < CHECK_STRIDE || bufsz > (4u << 20) || (bufsz & (bufsz - 1))) {
    send_all(fd, "VCW1 err bad stream buffer size\n", 32);
    return 0;
  }
  static uint8_t buf[256 * 1024];
  unsigned long long total = 0, bad = 0;
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      fprintf(stderr, "vcwork serve: stream receive failed: %s\n", strerror(errno));
      return 0;
    }
    if (r == 0) break;
    /* check bytes at absolute offsets that are multiples of CHECK_STRIDE */
    unsigned long long first = (total + CHECK_STRIDE - 1) / CHECK_STRIDE * CHECK_STRIDE;
    for (unsigned long long o = first; o < total + (unsigned long long)r; o += CHECK_STRIDE)
      if (buf[o - total] != pat((uint32_t)(o % bufsz))) bad++;
    total += (unsigned long long)r;
    if (vc_now_ns() > deadline) break;
  }
  char line[96];
  int n = snprintf(line, sizeof line, "VCW1 got %llu %llu\n", total, bad);
  send_all(fd, line, (size_t)n);
  return 0;
}

static int serve_rr(int fd, const char *arg, int64_t deadline) {
  unsigned req = 0, resp = 0;
  if (sscanf(arg, "%u %u", &req, &resp) != 2 || req < 8 || resp < 8 || req > 65536 || resp > 65536) {
    send_all(fd, "VCW1 err bad rr sizes\n", 22);
    return 0;
  }
  uint8_t *in = malloc(req), *out = malloc(resp);
  if (!in || !out) {
    free(in);
    free(out);
    return 0;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  for (uint32_t i = 0; i < resp; i++) out[i] = pat(i);
  unsigned long long k = 0;
  cpu_set_t saved;
  int pinned = 0;
  for (;;) {
    if (recv_all(fd, in, req)) break;
    if (k == 0) { /* follow the client: its packets arrive on its CPU (loopback, veth) or QEMU's (tap) */
      int incoming = -1;
      socklen_t len = sizeof incoming;
      if (getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &incoming, &len) == 0) pinned = vc_pin_to_cpu(incoming, &saved);
    }
    memcpy(out, in, 8);
    if (send_all(fd, out, resp)) break;
    if ((++k & 1023) == 0 && vc_now_ns() > deadline) break;
  }
  if (pinned) sched_setaffinity(0, sizeof saved, &saved);
  free(in);
  free(out);
  return 0;
}

int vc_serve_main(const char *listen_addr, double max_seconds) {
  struct sockaddr_storage ss;
  unsigned len;
  char msg[VC_MSG];
  if (vc_parse_hostport(listen_addr, &ss, &len, msg, sizeof msg)) {
    vc_emit_error(NULL, NULL, msg);
    return 2;
  }
  int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (lfd >= 0) setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, 16)) {
    snprintf(msg, sizeof msg, "cannot listen on %s: %s", listen_addr, strerror(errno));
    vc_emit_error(NULL, NULL, msg);
    if (lfd >= 0) close(lfd);
    return 1;
  }
  struct sockaddr_storage bound;
  socklen_t bl = sizeof bound;
  getsockname(lfd, (struct sockaddr *)&bound, &bl);
  char host[INET6_ADDRSTRLEN] = "?";
  int port;
  if (bound.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&bound)->sin6_addr, host, sizeof host);
    port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
  } else {
    inet_ntop(AF_INET, &((struct sockaddr_in *)&bound)->sin_addr, host, sizeof host);
    port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
  }
  vc_jb b;
  jb_begin(&b);
  jb_str(&b, "type", "listening");
  jb_str(&b, "addr", host);
  jb_int(&b, "port", port);
  jb_end(&b);
  vc_emit(&b);
  int64_t deadline = vc_now_ns() + (int64_t)(max_seconds * 1e9);
  for (;;) {
    int64_t left_ms = (deadline - vc_now_ns()) / 1000000;
    if (left_ms <= 0) break;
    struct pollfd pf = {lfd, POLLIN, 0};
    int pr = poll(&pf, 1, left_ms > 1000000 ? 1000000 : (int)left_ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) continue;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) continue;
    set_timeouts(fd, IO_TIMEOUT_S);
    char hdr[128];
    if (recv_line(fd, hdr, sizeof hdr) == 0) {
      if (!strcmp(hdr, "VCW1 quit")) {
        send_all(fd, "VCW1 bye\n", 9);
        close(fd);
        close(lfd);
        return 0;
      } else if (!strncmp(hdr, "VCW1 stream ", 12)) {
        serve_stream(fd, hdr + 12, deadline);
      } else if (!strncmp(hdr, "VCW1 rr ", 8)) {
        serve_rr(fd, hdr + 8, deadline);
      } else {
        send_all(fd, "VCW1 err unknown mode\n", 22);
        fprintf(stderr, "vcwork serve: unknown header, connection closed\n");
      }
    }
    close(fd);
  }
  fprintf(stderr, "vcwork serve: --max-seconds %.0f reached, exiting\n", max_seconds);
  close(lfd);
  return 0;
}

int vc_stop_main(const char *peer) {
  char msg[VC_MSG];
  int fd;
  if (connect_peer(peer, &fd, msg, sizeof msg)) {
    vc_emit_error(NULL, NULL, msg);
    return 1;
  }
  char line[64];
  if (send_all(fd, "VCW1 quit\n", 10) || recv_line(fd, line, sizeof line) || strcmp(line, "VCW1 bye")) {
    close(fd);
    vc_emit_error(NULL, NULL, "peer did not acknowledge quit");
    return 1;
  }
  close(fd);
  return 0;
}
