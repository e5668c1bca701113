/* fork(): a child's first call builds its own runtime and connection pool (the parent's
 * threads do not exist in the child) — it must work and never hang; the parent must keep
 * working too. Each child runs under alarm(); the parent gives up on it after a deadline. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define CHILD_DEADLINE_S 60

/* One encrypt+decrypt round trip; 0 on success. */
static int roundtrip(kmskit_client *c, const char *key, const char *msg) {
  kmskit_response *enc = NULL, *dec = NULL;
  kmskit_buffer *blob = NULL, *plain = NULL;
  kmskit_error *err = NULL;
  int ok = 0;
  if (kmskit_client_encrypt(c, key, (const uint8_t *)msg, strlen(msg), NULL, &enc, &err) == 0 &&
      kmskit_response_ciphertext_blob(enc, &blob) == 0 &&
      kmskit_client_decrypt(c, (const char *)kmskit_buffer_data(blob), NULL, &dec, &err) == 0 &&
      kmskit_response_plaintext(dec, &plain) == 0 && kmskit_buffer_len(plain) == strlen(msg) &&
      memcmp(kmskit_buffer_data(plain), msg, strlen(msg)) == 0)
    ok = 1;
  if (err) fprintf(stderr, "  [pid %d] %u %s\n", (int)getpid(), kmskit_error_code(err), kmskit_error_message(err));
  kmskit_error_free(err);
  kmskit_buffer_free(blob);
  kmskit_buffer_free(plain);
  kmskit_response_free(enc);
  kmskit_response_free(dec);
  return ok ? 0 : 1;
}

/* Waits for `pid` up to the deadline; returns its exit status, or -1 (hung: killed) / -2. */
static int wait_child(pid_t pid) {
  for (int i = 0; i < CHILD_DEADLINE_S * 10; i++) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      fprintf(stderr, "  child killed by signal %d (alarm = hang)\n", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
      return -2;
    }
    usleep(100 * 1000);
  }
  fprintf(stderr, "  child %d hung; killing it\n", (int)pid);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

/* A client used before fork() (runtime running, a pooled keep-alive connection) is used by the
 * child, which also builds a new client; then the parent goes on with its own. */
static void test_child_uses_parents_client(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  CHECK(key != NULL);
  CHECK(roundtrip(c, key, "before fork") == 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(CHILD_DEADLINE_S);
    int rc = roundtrip(c, key, "in the child, parent's client");
    rc |= roundtrip(c, key, "again, same client") << 1;
    kmskit_client *mine = h_client(NULL);
    rc |= roundtrip(mine, key, "in the child, own client") << 2;
    kmskit_client_free(mine);
    kmskit_client_free(c); /* frees the child's pool; the parent's copy is left alone */
    free(key);
    exit(rc);
  }
  CHECK(pid > 0);
  int status = wait_child(pid);
  if (status != 0) fprintf(stderr, "  child status %d\n", status);
  CHECK(status == 0);
  CHECK(roundtrip(c, key, "parent after the child") == 0);
  free(key);
  kmskit_client_free(c);
}

/* fork() in a process that has a client but never made a call (no runtime yet); the parent's
 * calls after fork() and the child's both work. */
static void test_fork_before_first_call(void) {
  kmskit_client *c = h_client(NULL);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(CHILD_DEADLINE_S);
    char *key = h_create_key(c);
    int rc = key ? roundtrip(c, key, "child of an idle parent") : 1;
    free(key);
    kmskit_client_free(c);
    exit(rc);
  }
  CHECK(pid > 0);
  CHECK(wait_child(pid) == 0);
  char *key = h_create_key(c);
  CHECK(key && roundtrip(c, key, "parent") == 0);
  free(key);
  kmskit_client_free(c);
}

/* A grandchild: the runtime is rebuilt once per process, whatever the depth. */
static void test_grandchild(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  CHECK(key && roundtrip(c, key, "grandparent") == 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(CHILD_DEADLINE_S);
    int rc = roundtrip(c, key, "child");
    fflush(NULL);
    pid_t g = fork();
    if (g == 0) {
      alarm(CHILD_DEADLINE_S);
      int grc = roundtrip(c, key, "grandchild");
      kmskit_client_free(c);
      free(key);
      exit(grc);
    }
    rc |= (wait_child(g) != 0) << 1;
    rc |= roundtrip(c, key, "child after grandchild") << 2;
    kmskit_client_free(c);
    free(key);
    exit(rc);
  }
  CHECK(wait_child(pid) == 0);
  free(key);
  kmskit_client_free(c);
}

int main(void) {
  /* First, while this process has no runtime yet. */
  RUN(test_fork_before_first_call);
  RUN(test_child_uses_parents_client);
  RUN(test_grandchild);
  return h_finish("test_fork");
}
