/* The credentials providers of the C API against the emulator: static keys, the ECS RAM role
 * (its metadata listener), RAM role ARN and OIDC role ARN (its STS listener), the CLI and ini
 * profiles (temporary files), a credentials URI (a tiny HTTP server in this test), the default
 * chain (environment variables), the C callback (success, failure, caching, userdata freed
 * exactly once), wrong credentials refused, options and NULL arguments. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"

static kmskit_credentials *const SENTINEL_CREDS = (kmskit_credentials *)0x1;
static const char *ROLE_ARN = "acs:ram::1234567890123456:role/ctest-role";
static const char *OIDC_PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/ctest";

/* ListKeys through a client using `creds` at the emulator; returns the result code. */
static kmskit_result list_keys_with(const kmskit_credentials *creds, kmskit_error **err) {
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT"));
  kmskit_config_builder_set_max_attempts(b, 1);
  CHECK_RC(0, kmskit_config_builder_set_credentials(b, creds), NULL);
  kmskit_client *c = NULL;
  kmskit_result rc = kmskit_client_new(b, &c, err);
  kmskit_config_builder_free(b);
  if (rc != KMSKIT_RESULT_OK) return rc;
  kmskit_buffer *out = NULL;
  rc = kmskit_client_call(c, "ListKeys", NULL, &out, err);
  if (rc == KMSKIT_RESULT_OK) CHECK(out && strstr((const char *)kmskit_buffer_data(out), "RequestId"));
  kmskit_buffer_free(out);
  kmskit_client_free(c);
  return rc;
}

static kmskit_credentials_options *opts_new(void) {
  kmskit_credentials_options *o = NULL;
  CHECK_RC(0, kmskit_credentials_options_new(&o), NULL);
  return o;
}

static void test_static_keys(void) {
  kmskit_credentials *ak = NULL, *sts = SENTINEL_CREDS;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_access_key_new(h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"), &ak, &err), err);
  CHECK_RC(0, list_keys_with(ak, &err), err);
  kmskit_credentials_free(ak);
  /* An empty token is refused on sight (1201), the out-param untouched. */
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE, kmskit_credentials_sts_new("id", "secret", "", &sts, &err), err);
  CHECK(sts == SENTINEL_CREDS);
  kmskit_error_free(err);
  err = NULL;
  /* A wrong secret is refused by the service, and never appears in the message. */
  kmskit_credentials *bad = NULL;
  CHECK_RC(0, kmskit_credentials_access_key_new(h_env("KMSKIT_TEST_AK"), "wrong-secret-value-xyz", &bad, NULL), NULL);
  CHECK_RC(KMSKIT_RESULT_AUTHENTICATION_FAILED, list_keys_with(bad, &err), err);
  CHECK(err && strstr(kmskit_error_message(err), "wrong-secret-value-xyz") == NULL);
  kmskit_error_free(err);
  kmskit_credentials_free(bad);
}

/* The handle may be freed as soon as the builder has it; a builder keeps it for its clients. */
static void test_handle_outlived_by_builder_and_client(void) {
  kmskit_credentials *ak = NULL;
  CHECK_RC(0, kmskit_credentials_access_key_new(h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"), &ak, NULL), NULL);
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT"));
  CHECK_RC(0, kmskit_config_builder_set_credentials(b, ak), NULL);
  kmskit_credentials_free(ak);
  kmskit_client *c = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, NULL), NULL);
  kmskit_config_builder_free(b);
  kmskit_buffer *out = NULL;
  CHECK_RC(0, kmskit_client_call(c, "ListKeys", NULL, &out, NULL), NULL);
  kmskit_buffer_free(out);
  kmskit_client_free(c);
}

static void test_ecs_ram_role(void) {
  /* scripts/test-c disables the metadata service for the default chain's sake; then the ECS
   * provider refuses to be built (1203). */
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
  kmskit_credentials *off = SENTINEL_CREDS;
  kmskit_error *off_err = NULL;
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED, kmskit_credentials_ecs_ram_role_new(NULL, &off, &off_err), off_err);
  CHECK(off == SENTINEL_CREDS);
  kmskit_error_free(off_err);
  unsetenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED");
  kmskit_credentials_options *o = opts_new();
  CHECK_RC(0, kmskit_credentials_options_set_metadata_endpoint(o, h_env("KMSKIT_TEST_METADATA_ENDPOINT")), NULL);
  CHECK_RC(0, kmskit_credentials_options_set_role_name(o, h_env("KMSKIT_TEST_METADATA_ROLE")), NULL);
  CHECK_RC(0, kmskit_credentials_options_set_disable_imds_v1(o, true), NULL);
  CHECK_RC(0, kmskit_credentials_options_set_connect_timeout_ms(o, 2000), NULL);
  CHECK_RC(0, kmskit_credentials_options_set_read_timeout_ms(o, 2000), NULL);
  kmskit_credentials *ecs = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_ecs_ram_role_new(o, &ecs, &err), err);
  CHECK_RC(0, list_keys_with(ecs, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(ecs);
  kmskit_credentials_options_free(o);
  /* Role name discovered from the metadata service. */
  o = opts_new();
  kmskit_credentials_options_set_metadata_endpoint(o, h_env("KMSKIT_TEST_METADATA_ENDPOINT"));
  ecs = NULL;
  err = NULL;
  CHECK_RC(0, kmskit_credentials_ecs_ram_role_new(o, &ecs, &err), err);
  CHECK_RC(0, list_keys_with(ecs, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(ecs);
  kmskit_credentials_options_free(o);
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
}

static kmskit_credentials *role_from(const kmskit_credentials *source) {
  kmskit_credentials_options *o = opts_new();
  kmskit_credentials_options_set_role_arn(o, ROLE_ARN);
  kmskit_credentials_options_set_role_session_name(o, "ctest");
  kmskit_credentials_options_set_duration_seconds(o, 900);
  kmskit_credentials_options_set_sts_endpoint(o, h_env("KMSKIT_TEST_STS_ENDPOINT"));
  kmskit_credentials *role = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_ram_role_arn_new(source, o, &role, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_options_free(o);
  return role;
}

static void test_ram_role_arn(void) {
  kmskit_credentials *ak = NULL;
  kmskit_credentials_access_key_new(h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"), &ak, NULL);
  kmskit_credentials *role = role_from(ak);
  kmskit_credentials_free(ak); /* the role keeps its source */
  kmskit_error *err = NULL;
  CHECK_RC(0, list_keys_with(role, &err), err);
  kmskit_error_free(err);
  /* A role whose source is another role (its STS token signs the second AssumeRole). */
  kmskit_credentials *chained = role_from(role);
  err = NULL;
  CHECK_RC(0, list_keys_with(chained, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(chained);
  kmskit_credentials_free(role);

  /* A source with a wrong secret: STS refuses it, the call fails with a Credentials error. */
  kmskit_credentials *bad = NULL;
  kmskit_credentials_access_key_new(h_env("KMSKIT_TEST_AK"), "not-the-secret-abc", &bad, NULL);
  kmskit_credentials *bad_role = role_from(bad);
  err = NULL;
  kmskit_result rc = list_keys_with(bad_role, &err);
  CHECK(rc == KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE);
  CHECK(err && strcmp(kmskit_error_kind(err), "Credentials") == 0);
  CHECK(err && strstr(kmskit_error_message(err), "not-the-secret-abc") == NULL);
  kmskit_error_free(err);
  kmskit_credentials_free(bad_role);

  /* Construction checks: a too-short session (1101), no source (1001), no role ARN. */
  kmskit_credentials_options *o = opts_new();
  kmskit_credentials_options_set_role_arn(o, ROLE_ARN);
  kmskit_credentials_options_set_duration_seconds(o, 100);
  kmskit_credentials *x = SENTINEL_CREDS;
  err = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_credentials_ram_role_arn_new(bad, o, &x, &err), err);
  kmskit_error_free(err);
  err = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_credentials_ram_role_arn_new(NULL, o, &x, &err), err);
  CHECK(err && strstr(kmskit_error_message(err), "source") != NULL);
  kmskit_error_free(err);
  unsetenv("ALIBABA_CLOUD_ROLE_ARN");
  CHECK(kmskit_credentials_ram_role_arn_new(bad, NULL, &x, NULL) != KMSKIT_RESULT_OK);
  CHECK(x == SENTINEL_CREDS);
  kmskit_credentials_options_free(o);
  kmskit_credentials_free(bad);
}

static void test_oidc_role_arn(void) {
  kmskit_credentials_options *o = opts_new();
  kmskit_credentials_options_set_role_arn(o, ROLE_ARN);
  kmskit_credentials_options_set_oidc_provider_arn(o, OIDC_PROVIDER_ARN);
  kmskit_credentials_options_set_oidc_token_file(o, h_env("KMSKIT_TEST_OIDC_TOKEN_FILE"));
  kmskit_credentials_options_set_role_session_name(o, "ctest-oidc");
  kmskit_credentials_options_set_sts_endpoint(o, h_env("KMSKIT_TEST_STS_ENDPOINT"));
  kmskit_credentials *oidc = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_oidc_role_arn_new(o, &oidc, &err), err);
  CHECK_RC(0, list_keys_with(oidc, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(oidc);
  /* A token file that is not a token: STS refuses it at the first call. */
  char *junk = h_temp_file("token", "not-a-jwt");
  kmskit_credentials_options_set_oidc_token_file(o, junk);
  oidc = NULL;
  err = NULL;
  CHECK_RC(0, kmskit_credentials_oidc_role_arn_new(o, &oidc, &err), err);
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE, list_keys_with(oidc, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(oidc);
  h_remove_temp(junk);
  kmskit_credentials_options_free(o);
}

static void test_cli_profile(void) {
  char json[2048];
  snprintf(json, sizeof json,
           "{\"current\":\"ak\",\"profiles\":["
           "{\"name\":\"ak\",\"mode\":\"AK\",\"access_key_id\":\"%s\",\"access_key_secret\":\"%s\"},"
           "{\"name\":\"role\",\"mode\":\"RamRoleArn\",\"access_key_id\":\"%s\",\"access_key_secret\":\"%s\","
           "\"ram_role_arn\":\"%s\",\"ram_session_name\":\"ctest-cli\"},"
           "{\"name\":\"odd\",\"mode\":\"NoSuchMode\"}]}",
           h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"), h_env("KMSKIT_TEST_AK"),
           h_env("KMSKIT_TEST_SECRET"), ROLE_ARN);
  char *path = h_temp_file("config.json", json);
  const char *profiles[] = {NULL /* current */, "role"};
  for (int i = 0; i < 2; i++) {
    kmskit_credentials_options *o = opts_new();
    kmskit_credentials_options_set_config_file(o, path);
    if (profiles[i]) kmskit_credentials_options_set_profile_name(o, profiles[i]);
    kmskit_credentials_options_set_sts_endpoint(o, h_env("KMSKIT_TEST_STS_ENDPOINT"));
    kmskit_credentials_options_set_metadata_endpoint(o, h_env("KMSKIT_TEST_METADATA_ENDPOINT"));
    kmskit_credentials *cli = NULL;
    kmskit_error *err = NULL;
    CHECK_RC(0, kmskit_credentials_cli_profile_new(o, &cli, &err), err);
    CHECK_RC(0, list_keys_with(cli, &err), err);
    kmskit_error_free(err);
    kmskit_credentials_free(cli);
    kmskit_credentials_options_free(o);
  }
  /* An unsupported mode and a missing profile fail at the call, as Credentials errors. */
  const char *bad[] = {"odd", "missing"};
  for (int i = 0; i < 2; i++) {
    kmskit_credentials_options *o = opts_new();
    kmskit_credentials_options_set_config_file(o, path);
    kmskit_credentials_options_set_profile_name(o, bad[i]);
    kmskit_credentials *cli = NULL;
    CHECK_RC(0, kmskit_credentials_cli_profile_new(o, &cli, NULL), NULL);
    kmskit_error *err = NULL;
    kmskit_result rc = list_keys_with(cli, &err);
    CHECK(rc == KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE || rc == KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED);
    kmskit_error_free(err);
    kmskit_credentials_free(cli);
    kmskit_credentials_options_free(o);
  }
  h_remove_temp(path);
}

static void test_ini_profile(void) {
  char ini[2048];
  snprintf(ini, sizeof ini,
           "[default]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n\n"
           "[role]\ntype = ram_role_arn\naccess_key_id = %s\naccess_key_secret = %s\n"
           "role_arn = %s\nrole_session_name = ctest-ini\n",
           h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"), h_env("KMSKIT_TEST_AK"),
           h_env("KMSKIT_TEST_SECRET"), ROLE_ARN);
  char *path = h_temp_file("credentials.ini", ini);
  const char *profiles[] = {NULL /* default */, "role"};
  for (int i = 0; i < 2; i++) {
    kmskit_credentials_options *o = opts_new();
    kmskit_credentials_options_set_credentials_file(o, path);
    if (profiles[i]) kmskit_credentials_options_set_profile_name(o, profiles[i]);
    kmskit_credentials_options_set_sts_endpoint(o, h_env("KMSKIT_TEST_STS_ENDPOINT"));
    kmskit_credentials *ini_creds = NULL;
    kmskit_error *err = NULL;
    CHECK_RC(0, kmskit_credentials_ini_profile_new(o, &ini_creds, &err), err);
    CHECK_RC(0, list_keys_with(ini_creds, &err), err);
    kmskit_error_free(err);
    kmskit_credentials_free(ini_creds);
    kmskit_credentials_options_free(o);
  }
  h_remove_temp(path);
}

/* --- a credentials URI served by this test ------------------------------------------------ */
struct uri_server { int fd; int port; atomic_int requests; atomic_int stop; int fail; pthread_t thread; };

static void *serve_uri(void *p) {
  struct uri_server *s = p;
  while (!atomic_load(&s->stop)) {
    int c = accept(s->fd, NULL, NULL);
    if (c < 0) continue;
    if (atomic_load(&s->stop)) { close(c); break; }
    char req[4096];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof req - 1 && (r = read(c, req + got, sizeof req - 1 - got)) > 0) {
      got += (size_t)r;
      req[got] = '\0';
      if (strstr(req, "\r\n\r\n")) break;
    }
    atomic_fetch_add(&s->requests, 1);
    char body[512], resp[1024];
    int status = s->fail ? 500 : 200;
    if (s->fail)
      snprintf(body, sizeof body, "{\"Code\":\"Failure\"}");
    else
      snprintf(body, sizeof body, "{\"Code\":\"Success\",\"AccessKeyId\":\"%s\",\"AccessKeySecret\":\"%s\"}",
               h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"));
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s", status, strlen(body), body);
    if (write(c, resp, (size_t)n) != n) fprintf(stderr, "  uri server: short write\n");
    close(c);
  }
  return NULL;
}

static int uri_server_start(struct uri_server *s, int fail) {
  memset(s, 0, sizeof *s);
  s->fail = fail;
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 16) != 0 ||
      getsockname(s->fd, (struct sockaddr *)&a, &len) != 0)
    return 0;
  s->port = ntohs(a.sin_port);
  return pthread_create(&s->thread, NULL, serve_uri, s) == 0;
}

static void uri_server_stop(struct uri_server *s) {
  atomic_store(&s->stop, 1);
  /* Wake the blocking accept with one last connection. */
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)s->port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) fprintf(stderr, "  uri server: wake failed\n");
  close(c);
  pthread_join(s->thread, NULL);
  close(s->fd);
}

static void test_credentials_uri(void) {
  for (int fail = 0; fail < 2; fail++) {
    struct uri_server srv;
    CHECK(uri_server_start(&srv, fail));
    char uri[128];
    snprintf(uri, sizeof uri, "http://127.0.0.1:%d/credentials?role=ctest", srv.port);
    kmskit_credentials_options *o = opts_new();
    kmskit_credentials_options_set_connect_timeout_ms(o, 2000);
    kmskit_credentials_options_set_read_timeout_ms(o, 2000);
    kmskit_credentials *creds = NULL;
    kmskit_error *err = NULL;
    CHECK_RC(0, kmskit_credentials_uri_new(uri, o, &creds, &err), err);
    kmskit_result rc = list_keys_with(creds, &err);
    if (fail) CHECK(rc == KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE);
    else CHECK_RC(0, rc, err);
    CHECK(atomic_load(&srv.requests) >= 1);
    kmskit_error_free(err);
    kmskit_credentials_free(creds);
    kmskit_credentials_options_free(o);
    uri_server_stop(&srv);
  }
  kmskit_credentials *x = SENTINEL_CREDS;
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_credentials_uri_new("ftp://x/", NULL, &x, NULL), NULL);
  CHECK(x == SENTINEL_CREDS);
}

/* The default chain reads the environment when it is built. */
static void test_default_chain(void) {
  kmskit_credentials_options *o = opts_new();
  kmskit_credentials_options_set_sts_endpoint(o, h_env("KMSKIT_TEST_STS_ENDPOINT"));
  kmskit_credentials_options_set_metadata_endpoint(o, h_env("KMSKIT_TEST_METADATA_ENDPOINT"));
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", h_env("KMSKIT_TEST_AK"), 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", h_env("KMSKIT_TEST_SECRET"), 1);
  kmskit_credentials *chain = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_default_chain_new(o, &chain, &err), err);
  CHECK_RC(0, list_keys_with(chain, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(chain);
  /* Nothing configured (empty HOME, no variables, ECS disabled): 1203. */
  char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  char empty_home[] = "/tmp/kmskit-ctest-home-XXXXXX";
  CHECK(mkdtemp(empty_home) != NULL);
  setenv("HOME", empty_home, 1);
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  chain = NULL;
  err = NULL;
  CHECK_RC(0, kmskit_credentials_default_chain_new(NULL, &chain, &err), err);
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED, list_keys_with(chain, &err), err);
  kmskit_error_free(err);
  kmskit_credentials_free(chain);
  if (home) { setenv("HOME", home, 1); free(home); }
  rmdir(empty_home);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", h_env("KMSKIT_TEST_AK"), 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", h_env("KMSKIT_TEST_SECRET"), 1);
  kmskit_credentials_options_free(o);
}

/* --- the C callback ------------------------------------------------------------------------ */
struct cb_state { atomic_int calls; atomic_int freed; int mode; };

static kmskit_result provide(void *userdata, kmskit_credentials_sink *sink) {
  struct cb_state *st = userdata;
  atomic_fetch_add(&st->calls, 1);
  switch (st->mode) {
    case 0: /* a long-term key */
      return kmskit_credentials_sink_set_access_key(sink, h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"));
    case 1: /* a failure with a message */
      kmskit_credentials_sink_set_error(sink, "vault unreachable");
      return 7;
    case 2: /* OK without a key */
      return KMSKIT_RESULT_OK;
    default: { /* STS-shaped: a token and an expiration (the emulator refuses the token) */
      kmskit_credentials_sink_set_access_key(sink, "STS.ctest", "sts-secret-ctest");
      kmskit_credentials_sink_set_security_token(sink, "token-ctest");
      return kmskit_credentials_sink_set_expiration(sink, (int64_t)time(NULL) + 3600);
    }
  }
}

static void free_state(void *userdata) {
  struct cb_state *st = userdata;
  atomic_fetch_add(&st->freed, 1);
}

static void test_callback_success_and_caching(void) {
  struct cb_state st = {0, 0, 0};
  kmskit_credentials *cb = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_credentials_callback_new(provide, &st, free_state, &cb, &err), err);
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT"));
  kmskit_config_builder_set_credentials(b, cb);
  kmskit_credentials_free(cb); /* the builder holds the provider */
  CHECK(atomic_load(&st.freed) == 0);
  kmskit_client *c1 = NULL, *c2 = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c1, NULL), NULL);
  CHECK_RC(0, kmskit_client_new(b, &c2, NULL), NULL);
  kmskit_config_builder_free(b);
  for (int i = 0; i < 3; i++) {
    kmskit_buffer *out = NULL;
    CHECK_RC(0, kmskit_client_call(i % 2 ? c1 : c2, "ListKeys", NULL, &out, &err), err);
    kmskit_buffer_free(out);
  }
  /* Cached: three calls over two clients sharing the provider asked the callback once. */
  CHECK(atomic_load(&st.calls) == 1);
  kmskit_client_free(c1);
  CHECK(atomic_load(&st.freed) == 0);
  kmskit_client_free(c2);
  CHECK(atomic_load(&st.freed) == 1); /* exactly once, with the last user */
}

static void test_callback_failures(void) {
  for (int mode = 1; mode <= 3; mode++) {
    struct cb_state st = {0, 0, mode};
    kmskit_credentials *cb = NULL;
    CHECK_RC(0, kmskit_credentials_callback_new(provide, &st, free_state, &cb, NULL), NULL);
    kmskit_error *err = NULL;
    kmskit_result rc = list_keys_with(cb, &err);
    if (mode == 3) {
      /* The callback's STS key reached the service, which does not know it. */
      CHECK(rc != KMSKIT_RESULT_OK && err && kmskit_error_request_id(err) != NULL);
    } else {
      CHECK_RC(KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE, rc, err);
      CHECK(err && strcmp(kmskit_error_kind(err), "Credentials") == 0);
      if (mode == 1) CHECK(err && strstr(kmskit_error_message(err), "vault unreachable") != NULL);
      if (mode == 1) CHECK(err && strstr(kmskit_error_message(err), "7") != NULL);
    }
    CHECK(err && strstr(kmskit_error_message(err), "sts-secret-ctest") == NULL);
    CHECK(atomic_load(&st.calls) >= 1);
    kmskit_error_free(err);
    kmskit_credentials_free(cb);
    CHECK(atomic_load(&st.freed) == 1);
  }
  /* NULL callback: 1001, and the userdata is still released (kmskit owns it either way). */
  struct cb_state st = {0, 0, 0};
  kmskit_credentials *x = SENTINEL_CREDS;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_credentials_callback_new(NULL, &st, free_state, &x, &err), err);
  CHECK(x == SENTINEL_CREDS && atomic_load(&st.freed) == 1);
  kmskit_error_free(err);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_credentials_callback_new(provide, &st, free_state, NULL, NULL), NULL);
  CHECK(atomic_load(&st.freed) == 2);
  /* No userdata_free is fine. */
  CHECK_RC(0, kmskit_credentials_callback_new(provide, &st, NULL, &x, NULL), NULL);
  kmskit_credentials_free(x);
  CHECK(atomic_load(&st.freed) == 2);
}

/* A constructor refuses an option its provider does not take. */
static void test_options_checked_per_provider(void) {
  kmskit_credentials_options *o = opts_new();
  kmskit_credentials_options_set_policy(o, "{}");
  kmskit_credentials *x = SENTINEL_CREDS;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_credentials_ecs_ram_role_new(o, &x, &err), err);
  CHECK(err && strstr(kmskit_error_message(err), "policy") != NULL);
  kmskit_error_free(err);
  CHECK(kmskit_credentials_default_chain_new(o, &x, NULL) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  CHECK(kmskit_credentials_cli_profile_new(o, &x, NULL) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  CHECK(kmskit_credentials_ini_profile_new(o, &x, NULL) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  CHECK(kmskit_credentials_uri_new("http://127.0.0.1:1/", o, &x, NULL) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  kmskit_credentials_options_free(o);
  o = opts_new();
  kmskit_credentials_options_set_external_id(o, "e");
  kmskit_credentials_options_set_enable_vpc(o, false);
  CHECK(kmskit_credentials_oidc_role_arn_new(o, &x, NULL) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  CHECK(x == SENTINEL_CREDS);
  kmskit_credentials_options_free(o);
}

static void test_null_arguments(void) {
  kmskit_credentials *x = SENTINEL_CREDS;
  kmskit_credentials_options *o = opts_new();
  kmskit_result r[] = {
    kmskit_credentials_options_new(NULL),
    kmskit_credentials_access_key_new(NULL, "s", &x, NULL),
    kmskit_credentials_access_key_new("id", NULL, &x, NULL),
    kmskit_credentials_access_key_new("id", "s", NULL, NULL),
    kmskit_credentials_sts_new(NULL, "s", "t", &x, NULL),
    kmskit_credentials_sts_new("id", NULL, "t", &x, NULL),
    kmskit_credentials_sts_new("id", "s", NULL, &x, NULL),
    kmskit_credentials_sts_new("id", "s", "t", NULL, NULL),
    kmskit_credentials_ecs_ram_role_new(NULL, NULL, NULL),
    kmskit_credentials_oidc_role_arn_new(NULL, NULL, NULL),
    kmskit_credentials_uri_new(NULL, NULL, &x, NULL),
    kmskit_credentials_cli_profile_new(NULL, NULL, NULL),
    kmskit_credentials_ini_profile_new(NULL, NULL, NULL),
    kmskit_credentials_default_chain_new(NULL, NULL, NULL),
    kmskit_config_builder_set_credentials(NULL, NULL),
    kmskit_credentials_options_set_role_name(NULL, "r"),
    kmskit_credentials_options_set_role_name(o, NULL),
    kmskit_credentials_options_set_disable_imds_v1(NULL, true),
    kmskit_credentials_options_set_metadata_endpoint(o, NULL),
    kmskit_credentials_options_set_role_arn(o, NULL),
    kmskit_credentials_options_set_role_session_name(o, NULL),
    kmskit_credentials_options_set_duration_seconds(NULL, 900),
    kmskit_credentials_options_set_policy(o, NULL),
    kmskit_credentials_options_set_external_id(o, NULL),
    kmskit_credentials_options_set_sts_region(o, NULL),
    kmskit_credentials_options_set_sts_endpoint(o, NULL),
    kmskit_credentials_options_set_enable_vpc(NULL, true),
    kmskit_credentials_options_set_oidc_provider_arn(o, NULL),
    kmskit_credentials_options_set_oidc_token_file(o, NULL),
    kmskit_credentials_options_set_profile_name(o, NULL),
    kmskit_credentials_options_set_config_file(o, NULL),
    kmskit_credentials_options_set_credentials_file(o, NULL),
    kmskit_credentials_options_set_connect_timeout_ms(NULL, 1),
    kmskit_credentials_options_set_read_timeout_ms(NULL, 1),
    kmskit_credentials_sink_set_access_key(NULL, "id", "s"),
    kmskit_credentials_sink_set_security_token(NULL, "t"),
    kmskit_credentials_sink_set_expiration(NULL, 1),
    kmskit_credentials_sink_set_error(NULL, "m"),
  };
  for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
    if (r[i] != KMSKIT_RESULT_INVALID_ARGUMENT) fprintf(stderr, "  case %zu -> %u\n", i, (unsigned)r[i]);
    CHECK(r[i] == KMSKIT_RESULT_INVALID_ARGUMENT);
  }
  CHECK(x == SENTINEL_CREDS);
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  CHECK(kmskit_config_builder_set_credentials(b, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  kmskit_config_builder_free(b);
  kmskit_credentials_options_free(o);
  kmskit_credentials_free(NULL);
  kmskit_credentials_options_free(NULL);
}

int main(void) {
  RUN(test_static_keys);
  RUN(test_handle_outlived_by_builder_and_client);
  RUN(test_ecs_ram_role);
  RUN(test_ram_role_arn);
  RUN(test_oidc_role_arn);
  RUN(test_cli_profile);
  RUN(test_ini_profile);
  RUN(test_credentials_uri);
  RUN(test_default_chain);
  RUN(test_callback_success_and_caching);
  RUN(test_callback_failures);
  RUN(test_options_checked_per_provider);
  RUN(test_null_arguments);
  return h_finish("test_credentials");
}
