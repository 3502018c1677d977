// SPDX-License-Identifier: Apache-2.0
/* bench-fcgi-hello: the smallest FastCGI server libfcgi allows, the baseline for "the cost of the
 * protocol itself". THREADS threads each run FCGX_Accept_r on one unix socket (the shape of
 * twinlane's fast lane: one process, T threads, each in its own accept loop) and answer every
 * request with 200 {"status":"ok"}. Nothing else: no routing, no parsing, no logging.
 *
 * usage: bench-fcgi-hello SOCKET_PATH [THREADS=8] [BACKLOG=64]
 * TERM or INT removes the socket file and exits 0. */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *socket_path;
static int listen_fd;

static const char kAnswer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "\r\n"
    "{\"status\":\"ok\"}";

/* libfcgi installs its own TERM handler (which only sets a flag) when the disposition is the
 * default, and its accept loop retries on EINTR: set ours first so TERM really stops us. */
static void stop(int signal_number) {
  (void)signal_number;
  unlink(socket_path);
  _exit(0);
}

static void *serve(void *unused) {
  (void)unused;
  FCGX_Request request;
  FCGX_InitRequest(&request, listen_fd, 0);
  while (FCGX_Accept_r(&request) == 0) {
    FCGX_PutStr(kAnswer, (int)sizeof kAnswer - 1, request.out);
    FCGX_Finish_r(&request);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s SOCKET_PATH [THREADS] [BACKLOG]\n", argv[0]);
    return 64;
  }
  socket_path = argv[1];
  const int threads = argc > 2 ? atoi(argv[2]) : 8;
  const int backlog = argc > 3 ? atoi(argv[3]) : 64;
  if (threads < 1 || threads > 256 || backlog < 1) {
    fprintf(stderr, "%s: THREADS must be 1..256 and BACKLOG positive\n", argv[0]);
    return 64;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = stop;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  action.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &action, NULL);

  if (FCGX_Init() != 0) {
    fprintf(stderr, "%s: FCGX_Init failed\n", argv[0]);
    return 70;
  }
  unlink(socket_path);
  listen_fd = FCGX_OpenSocket(socket_path, backlog);
  if (listen_fd < 0) {
    fprintf(stderr, "%s: cannot listen on %s\n", argv[0], socket_path);
    return 70;
  }
  chmod(socket_path, 0666);

  pthread_t ids[256];
  for (int i = 1; i < threads; ++i) pthread_create(&ids[i], NULL, serve, NULL);
  serve(NULL);
  for (int i = 1; i < threads; ++i) pthread_join(ids[i], NULL);
  return 0;
}
