/* A tiny test harness for the kmskit C tests: each TEST prints "ok - name" or "not ok - name";
 * scripts/test-c counts those lines. The emulator's address and credentials come from the
 * environment (KMSKIT_TEST_ENDPOINT, KMSKIT_TEST_REGION, KMSKIT_TEST_AK, KMSKIT_TEST_SECRET,
 * KMSKIT_TEST_ADMIN_TOKEN for fault injection and counters, and the dedicated gateway, STS and
 * metadata fields of the ready line: KMSKIT_TEST_DEDICATED_ENDPOINT, KMSKIT_TEST_CA_FILE,
 * KMSKIT_TEST_CLIENT_KEY_FILE, KMSKIT_TEST_CLIENT_KEY_PASSWORD_FILE, KMSKIT_TEST_STS_ENDPOINT,
 * KMSKIT_TEST_METADATA_ENDPOINT, KMSKIT_TEST_METADATA_ROLE, KMSKIT_TEST_OIDC_TOKEN_FILE); a
 * missing variable is a failure, never a skip. */
#ifndef KMSKIT_TEST_HARNESS_H
#define KMSKIT_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kmskit.h"

static int h_passed, h_failed, h_current_failed;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      h_current_failed = 1;                                                          \
    }                                                                                \
  } while (0)

/* CHECK that a call returned `expected`; prints the error when it did not. */
#define CHECK_RC(expected, rc, err)                                                        \
  do {                                                                                     \
    kmskit_result h_rc = (rc);                                                             \
    if (h_rc != (kmskit_result)(expected)) {                                               \
      fprintf(stderr, "  %s:%d: expected %u, got %u (%s)\n", __FILE__, __LINE__,          \
              (unsigned)(expected), (unsigned)h_rc,                                        \
              (err) ? kmskit_error_message(err) : "no error object");                      \
      h_current_failed = 1;                                                                \
    }                                                                                      \
  } while (0)

#define RUN(test)                                      \
  do {                                                 \
    h_current_failed = 0;                              \
    test();                                            \
    if (h_current_failed) {                            \
      h_failed++;                                      \
      printf("not ok - %s\n", #test);                  \
    } else {                                           \
      h_passed++;                                      \
      printf("ok - %s\n", #test);                      \
    }                                                  \
    fflush(stdout);                                    \
  } while (0)

static inline int h_finish(const char *suite) {
  printf("# %s: %d passed, %d failed\n", suite, h_passed, h_failed);
  return h_failed == 0 ? 0 : 1;
}

static inline const char *h_env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    fprintf(stderr, "  environment variable %s is not set (scripts/test-c sets it)\n", name);
    h_current_failed = 1;
    return "";
  }
  return v;
}

/* A builder pointed at the emulator, with the emulator's key or `secret` when not NULL. */
static inline kmskit_config_builder *h_builder(const char *secret) {
  kmskit_config_builder *b = NULL;
  if (kmskit_config_builder_new(&b) != KMSKIT_RESULT_OK) return NULL;
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT"));
  kmskit_config_builder_set_region(b, h_env("KMSKIT_TEST_REGION"));
  kmskit_config_builder_set_access_key(b, h_env("KMSKIT_TEST_AK"),
                                       secret ? secret : h_env("KMSKIT_TEST_SECRET"));
  kmskit_config_builder_set_max_attempts(b, 1);
  return b;
}

static inline kmskit_client *h_client(const char *secret) {
  kmskit_config_builder *b = h_builder(secret);
  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  kmskit_result rc = kmskit_client_new(b, &c, &err);
  if (rc != KMSKIT_RESULT_OK) {
    fprintf(stderr, "  kmskit_client_new failed: %u %s\n", (unsigned)rc, kmskit_error_message(err));
    h_current_failed = 1;
  }
  kmskit_error_free(err);
  kmskit_config_builder_free(b);
  return c;
}

/* The string value of the first "name":"value" in a JSON text (enough for ids), malloc'd. */
static inline char *h_json_str(const char *json, const char *name) {
  char pat[128];
  snprintf(pat, sizeof pat, "\"%s\":\"", name);
  const char *p = json ? strstr(json, pat) : NULL;
  if (!p) return NULL;
  p += strlen(pat);
  const char *q = strchr(p, '"');
  if (!q) return NULL;
  char *out = malloc((size_t)(q - p) + 1);
  memcpy(out, p, (size_t)(q - p));
  out[q - p] = '\0';
  return out;
}

/* Creates an AES key through kmskit_client_call; returns its id (malloc'd) or NULL. */
static inline char *h_create_key(kmskit_client *c) {
  kmskit_buffer *out = NULL;
  kmskit_error *err = NULL;
  kmskit_result rc = kmskit_client_call(c, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\"}", &out, &err);
  if (rc != KMSKIT_RESULT_OK) {
    fprintf(stderr, "  CreateKey failed: %u %s\n", (unsigned)rc, kmskit_error_message(err));
    h_current_failed = 1;
    kmskit_error_free(err);
    return NULL;
  }
  char *id = h_json_str((const char *)kmskit_buffer_data(out), "KeyId");
  kmskit_buffer_free(out);
  return id;
}

/* A field accessor's value as a malloc'd C string ("" when absent), or NULL on failure. */
static inline char *h_field(kmskit_result (*get)(const kmskit_response *, kmskit_buffer **),
                     const kmskit_response *r) {
  kmskit_buffer *b = NULL;
  if (get(r, &b) != KMSKIT_RESULT_OK) return NULL;
  char *s = strdup(b ? (const char *)kmskit_buffer_data(b) : "");
  kmskit_buffer_free(b);
  return s;
}

/* One request to the emulator's admin API (bearer token) over a bare HTTP/1.1 socket, so the
 * tests need nothing but libc. Returns 1 on a 2xx answer; the answer's body, when `body_out` is
 * not NULL, is copied there (NUL-terminated, truncated to `cap`). */
static inline int h_admin(const char *method, const char *path, const char *json, char *body_out,
                          size_t cap) {
  const char *ep = h_env("KMSKIT_TEST_ENDPOINT");
  const char *token = h_env("KMSKIT_TEST_ADMIN_TOKEN");
  char host[64] = "";
  int port = 0;
  if (sscanf(ep, "http://%63[^:]:%d", host, &port) != 2) return 0;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
      connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  if (!json) json = "";
  char req[2048];
  int n = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                   "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   method, path, host, port, token, strlen(json), json);
  int ok = write(fd, req, (size_t)n) == n;
  char resp[16384];
  size_t got = 0;
  ssize_t r;
  while (ok && got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0)
    got += (size_t)r;
  close(fd);
  resp[got] = '\0';
  if (body_out && cap > 0) {
    const char *b = strstr(resp, "\r\n\r\n");
    snprintf(body_out, cap, "%s", b ? b + 4 : "");
  }
  return got > 12 && strncmp(resp, "HTTP/1.1 2", 10) == 0;
}

/* Adds an emulator fault (POST /_emulator/faults); 1 on success. */
static inline int h_fault(const char *json) {
  return h_admin("POST", "/_emulator/faults", json, NULL, 0);
}

/* The emulator's request counter for `api` (an OpenAPI action or an Instance API name). */
static inline long h_count(const char *api) {
  char body[8192];
  if (!h_admin("GET", "/_emulator/stats", NULL, body, sizeof body)) return -1;
  char pat[128];
  snprintf(pat, sizeof pat, "\"%s\":", api);
  const char *p = strstr(body, pat);
  return p ? strtol(p + strlen(pat), NULL, 10) : 0;
}

/* Writes `text` to a new file in a fresh temporary directory; returns its path (malloc'd). */
static inline char *h_temp_file(const char *name, const char *text) {
  char dir[] = "/tmp/kmskit-ctest-XXXXXX";
  if (!mkdtemp(dir)) return NULL;
  size_t len = strlen(dir) + strlen(name) + 2;
  char *path = malloc(len);
  snprintf(path, len, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) { free(path); return NULL; }
  fputs(text, f);
  fclose(f);
  return path;
}

/* Removes a file written by h_temp_file and its directory; frees the path. */
static inline void h_remove_temp(char *path) {
  if (!path) return;
  unlink(path);
  char *slash = strrchr(path, '/');
  if (slash) { *slash = '\0'; rmdir(path); }
  free(path);
}

/* Reads a whole file (malloc'd, NUL-terminated) or NULL. */
static inline char *h_read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, f);
  buf[got] = '\0';
  fclose(f);
  return buf;
}

#endif
