// What this machine allows, measured without Node: the floor under the OCG-C benchmarks
// (bench/host.reference.bench.ts builds and runs it). Prints one JSON object:
// - syscall_ns: one getppid(2), the cheapest system call (a paravirtualised VM pays for each
//   kernel entry; ~0.1 µs on bare metal);
// - fault_us: the first touch of a fresh anonymous page (a minor fault);
// - echo_*: a plain TCP echo over loopback shaped like ocg.order.rtt: a New Order sized request
//   (REQ bytes) answered by an Execution Report sized reply (REP bytes), one every 200 µs (5,000/s),
//   both ends polling without sleeping (nonblocking reads in a loop, like the low-latency profile),
//   the client's clock spinning; each round trip timed from the moment it was due, as ocg.order.rtt
//   does (no coordinated omission). WARM round trips first, then MEASURED ones, counted over 200 µs.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQ 180
#define REP 260
#define WARM 10000
#define MEASURED 40000
#define STEP_US 200.0

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/** Reads exactly n bytes from a nonblocking socket, spinning; 0 on success. */
static int read_full(int fd, char* buf, int n) {
  int got = 0;
  while (got < n) {
    ssize_t k = read(fd, buf + got, (size_t)(n - got));
    if (k > 0) got += (int)k;
    else if (k == 0) return -1;
  }
  return 0;
}

int main(void) {
  // System call cost.
  int calls = 200000;
  double t = now_us();
  for (int i = 0; i < calls; i++) syscall(SYS_getppid);
  double syscall_ns = (now_us() - t) * 1000 / calls;

  // Page fault cost: 16 MiB of fresh pages, each touched once.
  size_t len = 16u << 20;
  char* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  t = now_us();
  for (size_t i = 0; i < len; i += 4096) p[i] = 1;
  double fault_us = (now_us() - t) / (double)(len / 4096);
  munmap(p, len);

  // TCP echo over loopback.
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x7f000001);
  a.sin_port = 0;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(ls, (struct sockaddr*)&a, sizeof a) != 0 || listen(ls, 1) != 0) return 2;
  socklen_t al = sizeof a;
  getsockname(ls, (struct sockaddr*)&a, &al);
  pid_t server = fork();
  if (server == 0) {
    int s = accept(ls, NULL, NULL);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(s, F_SETFL, O_NONBLOCK);
    char in[REQ], out[REP];
    memset(out, 'r', sizeof out);
    for (;;) {
      if (read_full(s, in, REQ) != 0) _exit(0);
      if (write(s, out, REP) != REP) _exit(3);
    }
  }
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr*)&a, sizeof a) != 0) return 4;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(c, F_SETFL, O_NONBLOCK);
  char req[REQ], rep[REP];
  memset(req, 'q', sizeof req);
  double* rtt = malloc(MEASURED * sizeof(double));
  double t0 = now_us() + 1000;
  for (int i = 0; i < WARM + MEASURED; i++) {
    double due = t0 + i * STEP_US;
    while (now_us() < due) {
    }
    if (write(c, req, REQ) != REQ || read_full(c, rep, REP) != 0) return 5;
    if (i >= WARM) rtt[i - WARM] = now_us() - due;
  }
  close(c);
  kill(server, SIGTERM);
  waitpid(server, NULL, 0);
  int late = 0;
  for (int i = 0; i < MEASURED; i++) late += rtt[i] > 200;
  qsort(rtt, MEASURED, sizeof(double), cmp);
  printf("{\"syscall_ns\":%.0f,\"fault_us\":%.1f,\"echo_p50\":%.0f,\"echo_p99\":%.0f,\"echo_p99_9\":%.0f,\"echo_max\":%.0f,\"echo_over_200us\":%d,\"echo_round_trips\":%d,\"req_bytes\":%d,\"rep_bytes\":%d}\n",
         syscall_ns, fault_us, rtt[MEASURED / 2], rtt[MEASURED * 99 / 100], rtt[MEASURED * 999 / 1000], rtt[MEASURED - 1], late, MEASURED, REQ, REP);
  return 0;
}
