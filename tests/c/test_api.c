/* The kmskit C API against the emulator: every operation, the options, error paths, NULL
 * arguments on every function, buffer lifetimes, a client shared by threads. */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#ifndef KMSKIT_EXPECTED_VERSION
#error "compile with -DKMSKIT_EXPECTED_VERSION=\"x.y.z\" (the crate version; scripts/test-c does)"
#endif

static const char INVALID_UTF8[] = {(char)0xff, (char)0xfe, 'x', 0};
static kmskit_response *const SENTINEL_RESP = (kmskit_response *)0x1;
static kmskit_buffer *const SENTINEL_BUF = (kmskit_buffer *)0x1;

static void test_version(void) {
  char expect[64];
  snprintf(expect, sizeof expect, "%d.%d.%d", KMSKIT_VERSION_MAJOR, KMSKIT_VERSION_MINOR,
           KMSKIT_VERSION_PATCH);
  CHECK(strcmp(expect, KMSKIT_EXPECTED_VERSION) == 0);
  CHECK(strcmp(KMSKIT_VERSION_STRING, KMSKIT_EXPECTED_VERSION) == 0);
  CHECK(strcmp(kmskit_version(), KMSKIT_VERSION_STRING) == 0);
  CHECK(KMSKIT_VERSION_NUMBER ==
        ((KMSKIT_VERSION_MAJOR << 16) | (KMSKIT_VERSION_MINOR << 8) | KMSKIT_VERSION_PATCH));
}

/* Parity: every operation of the core has a kmskit_client_<op> function. */
static void test_operations_parity(void) {
  struct { const char *name; void (*fn)(void); } table[] = {
    {"encrypt", (void (*)(void))kmskit_client_encrypt},
    {"decrypt", (void (*)(void))kmskit_client_decrypt},
    {"generate_data_key", (void (*)(void))kmskit_client_generate_data_key},
    {"generate_data_key_without_plaintext",
     (void (*)(void))kmskit_client_generate_data_key_without_plaintext},
    {"get_secret_value", (void (*)(void))kmskit_client_get_secret_value},
    {"call", (void (*)(void))kmskit_client_call},
  };
  size_t n = kmskit_core_operation_count();
  CHECK(n == sizeof table / sizeof table[0]);
  for (size_t i = 0; i < n; i++) {
    const char *op = kmskit_core_operation(i);
    int found = 0;
    for (size_t j = 0; op && j < sizeof table / sizeof table[0]; j++)
      if (strcmp(op, table[j].name) == 0 && table[j].fn != NULL) found = 1;
    if (!found) fprintf(stderr, "  no kmskit_client_%s\n", op ? op : "(null)");
    CHECK(found);
  }
  CHECK(kmskit_core_operation(n) == NULL);
}

/* Parity: every credentials source of the core has a kmskit_credentials_<source>_new. */
static void test_credentials_sources_parity(void) {
  struct { const char *name; void (*fn)(void); } table[] = {
    {"AccessKey", (void (*)(void))kmskit_credentials_access_key_new},
    {"StsToken", (void (*)(void))kmskit_credentials_sts_new},
    {"EcsRamRole", (void (*)(void))kmskit_credentials_ecs_ram_role_new},
    {"RamRoleArn", (void (*)(void))kmskit_credentials_ram_role_arn_new},
    {"OidcRoleArn", (void (*)(void))kmskit_credentials_oidc_role_arn_new},
    {"CredentialsUri", (void (*)(void))kmskit_credentials_uri_new},
    {"CliProfile", (void (*)(void))kmskit_credentials_cli_profile_new},
    {"IniProfile", (void (*)(void))kmskit_credentials_ini_profile_new},
    {"DefaultChain", (void (*)(void))kmskit_credentials_default_chain_new},
  };
  size_t n = kmskit_credentials_source_count();
  CHECK(n == sizeof table / sizeof table[0]);
  for (size_t i = 0; i < n; i++) {
    const char *source = kmskit_credentials_source(i);
    int found = 0;
    for (size_t j = 0; source && j < sizeof table / sizeof table[0]; j++)
      if (strcmp(source, table[j].name) == 0 && table[j].fn != NULL) found = 1;
    if (!found) fprintf(stderr, "  no constructor for the credentials source %s\n", source ? source : "(null)");
    CHECK(found);
  }
  CHECK(kmskit_credentials_source(n) == NULL);
}

static void test_result_names(void) {
  struct { kmskit_result code; const char *name; const char *kind; } t[] = {
    {KMSKIT_RESULT_INVALID_ARGUMENT, "InvalidArgument", "InvalidArgument"},
    {KMSKIT_RESULT_INVALID_CONFIGURATION, "InvalidConfiguration", "Configuration"},
    {KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE, "CredentialsUnavailable", "Credentials"},
    {KMSKIT_RESULT_CLIENT_KEY_INVALID, "ClientKeyInvalid", "Credentials"},
    {KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED, "CredentialsNotConfigured", "Credentials"},
    {KMSKIT_RESULT_CONNECT_FAILED, "ConnectFailed", "Network"},
    {KMSKIT_RESULT_CONNECTION_LOST, "ConnectionLost", "Network"},
    {KMSKIT_RESULT_TLS_FAILED, "TlsFailed", "Network"},
    {KMSKIT_RESULT_CONNECT_TIMEOUT, "ConnectTimeout", "Timeout"},
    {KMSKIT_RESULT_READ_TIMEOUT, "ReadTimeout", "Timeout"},
    {KMSKIT_RESULT_THROTTLED, "Throttled", "Throttling"},
    {KMSKIT_RESULT_AUTHENTICATION_FAILED, "AuthenticationFailed", "Authentication"},
    {KMSKIT_RESULT_FORBIDDEN, "Forbidden", "Authorization"},
    {KMSKIT_RESULT_RESOURCE_NOT_FOUND, "ResourceNotFound", "NotFound"},
    {KMSKIT_RESULT_INVALID_PARAMETER, "InvalidParameter", "InvalidArgument"},
    {KMSKIT_RESULT_INVALID_STATE, "InvalidState", "InvalidArgument"},
    {KMSKIT_RESULT_SERVICE_ERROR, "ServiceError", "Service"},
    {KMSKIT_RESULT_SERVICE_UNAVAILABLE, "ServiceUnavailable", "Service"},
    {KMSKIT_RESULT_INVALID_RESPONSE, "InvalidResponse", "Service"},
    {KMSKIT_RESULT_CRYPTO_FAILED, "CryptoFailed", "Crypto"},
    {KMSKIT_RESULT_INTERNAL, "Internal", "Internal"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    const char *name = kmskit_result_name(t[i].code);
    const char *kind = kmskit_result_kind(t[i].code);
    CHECK(name && strcmp(name, t[i].name) == 0);
    CHECK(kind && strcmp(kind, t[i].kind) == 0);
  }
  CHECK(strcmp(kmskit_result_name(KMSKIT_RESULT_OK), "OK") == 0);
  CHECK(kmskit_result_kind(KMSKIT_RESULT_OK) == NULL);
  CHECK(kmskit_result_name(4242) == NULL);
  CHECK(kmskit_result_kind(4242) == NULL);
}

static void test_free_null_is_safe(void) {
  kmskit_config_builder_free(NULL);
  kmskit_client_free(NULL);
  kmskit_response_free(NULL);
  kmskit_buffer_free(NULL);
  kmskit_error_free(NULL);
  kmskit_error_free(NULL); /* twice: still nothing */
  kmskit_credentials_free(NULL);
  kmskit_credentials_options_free(NULL);
  kmskit_client_key_free(NULL);
  kmskit_instance_options_free(NULL);
  CHECK(1);
}

static void test_builder_every_setter(void) {
  kmskit_config_builder *b = NULL;
  CHECK_RC(0, kmskit_config_builder_new(&b), NULL);
  CHECK_RC(0, kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT")), NULL);
  CHECK_RC(0, kmskit_config_builder_set_region(b, "cn-hangzhou"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, "shared", NULL), NULL);
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, "vpc", NULL), NULL);
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, "dedicated", "kst-hzz123"), NULL);
  /* No kind: an instance id alone means dedicated; neither means the default (shared). */
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, NULL, "kst-hzz123"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, NULL, NULL), NULL);
  CHECK_RC(0, kmskit_config_builder_set_connect_timeout_ms(b, 2000), NULL);
  CHECK_RC(0, kmskit_config_builder_set_read_timeout_ms(b, 4000), NULL);
  CHECK_RC(0, kmskit_config_builder_set_max_attempts(b, 2), NULL);
  CHECK_RC(0, kmskit_config_builder_set_user_agent_suffix(b, "ctest/1"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_signature_version(b, "acs3"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_signature_version(b, "rpc"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_sts_token(b, "id", "secret", "token"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_access_key(b, h_env("KMSKIT_TEST_AK"),
                                                   h_env("KMSKIT_TEST_SECRET")), NULL);
  CHECK_RC(0, kmskit_config_builder_set_ca_file(b, "/nonexistent/ca.pem"), NULL);
  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  /* The CA file is read when the client is built. */
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, &err), err);
  CHECK(c == NULL);
  CHECK(err && strstr(kmskit_error_message(err), "CA file") != NULL);
  kmskit_error_free(err);
  err = NULL;
  /* A PEM set later wins over the file; garbage PEM is refused by the core. */
  const char junk[] = "not a certificate";
  CHECK_RC(0, kmskit_config_builder_set_ca_pem(b, (const uint8_t *)junk, strlen(junk)), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, &err), err);
  kmskit_error_free(err);
  kmskit_config_builder_free(b);

  /* Every option set to a working value: a client that answers (RPC signature). */
  b = h_builder(NULL);
  CHECK_RC(0, kmskit_config_builder_set_gateway(b, "vpc", NULL), NULL);
  CHECK_RC(0, kmskit_config_builder_set_connect_timeout_ms(b, 2000), NULL);
  CHECK_RC(0, kmskit_config_builder_set_read_timeout_ms(b, 4000), NULL);
  CHECK_RC(0, kmskit_config_builder_set_user_agent_suffix(b, "ctest/1"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_signature_version(b, "rpc"), NULL);
  err = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, &err), err);
  kmskit_buffer *out = NULL;
  CHECK_RC(0, kmskit_client_call(c, "ListKeys", NULL, &out, &err), err);
  CHECK(out && strstr((const char *)kmskit_buffer_data(out), "RequestId") != NULL);
  kmskit_buffer_free(out);
  kmskit_client_free(c);
  kmskit_config_builder_free(b);
}

static void test_builder_rejects_bad_values(void) {
  kmskit_config_builder *b = NULL;
  CHECK_RC(0, kmskit_config_builder_new(&b), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_config_builder_set_gateway(b, "moon", NULL), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_config_builder_set_gateway(b, "dedicated", NULL), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_config_builder_set_signature_version(b, "v9"), NULL);
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_UNAVAILABLE, kmskit_config_builder_set_sts_token(b, "id", "s", ""), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_config_builder_set_region(b, INVALID_UTF8), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_config_builder_set_endpoint(b, INVALID_UTF8), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_config_builder_set_access_key(b, "id", INVALID_UTF8), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_config_builder_set_ca_pem(b, (const uint8_t *)"", 0), NULL);

  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  /* No region and no endpoint. */
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, &err), err);
  CHECK(err && kmskit_error_code(err) == KMSKIT_RESULT_INVALID_CONFIGURATION);
  CHECK(err && strcmp(kmskit_error_kind(err), "Configuration") == 0);
  kmskit_error_free(err);
  kmskit_config_builder_free(b);

  struct { kmskit_result (*set)(kmskit_config_builder *, uint64_t); } timeouts[] = {
    {kmskit_config_builder_set_connect_timeout_ms}, {kmskit_config_builder_set_read_timeout_ms}};
  for (int i = 0; i < 2; i++) {
    b = h_builder(NULL);
    CHECK_RC(0, timeouts[i].set(b, 0), NULL);
    err = NULL;
    CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, &err), err);
    kmskit_error_free(err);
    kmskit_config_builder_free(b);
  }
  b = h_builder(NULL);
  CHECK_RC(0, kmskit_config_builder_set_max_attempts(b, 0), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, NULL), NULL);
  kmskit_config_builder_free(b);
}

static void test_builder_null_arguments(void) {
  kmskit_config_builder *b = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_config_builder_new(NULL), NULL);
  CHECK_RC(0, kmskit_config_builder_new(&b), NULL);
  const uint8_t pem[] = "x";
  kmskit_result r[] = {
    kmskit_config_builder_set_endpoint(NULL, "http://x"),
    kmskit_config_builder_set_endpoint(b, NULL),
    kmskit_config_builder_set_region(NULL, "r"),
    kmskit_config_builder_set_region(b, NULL),
    kmskit_config_builder_set_gateway(NULL, "shared", NULL),
    kmskit_config_builder_set_ca_pem(NULL, pem, 1),
    kmskit_config_builder_set_ca_pem(b, NULL, 1),
    kmskit_config_builder_set_ca_file(NULL, "/x"),
    kmskit_config_builder_set_ca_file(b, NULL),
    kmskit_config_builder_set_connect_timeout_ms(NULL, 1),
    kmskit_config_builder_set_read_timeout_ms(NULL, 1),
    kmskit_config_builder_set_max_attempts(NULL, 1),
    kmskit_config_builder_set_user_agent_suffix(NULL, "s"),
    kmskit_config_builder_set_user_agent_suffix(b, NULL),
    kmskit_config_builder_set_signature_version(NULL, "acs3"),
    kmskit_config_builder_set_signature_version(b, NULL),
    kmskit_config_builder_set_access_key(NULL, "id", "s"),
    kmskit_config_builder_set_access_key(b, NULL, "s"),
    kmskit_config_builder_set_access_key(b, "id", NULL),
    kmskit_config_builder_set_sts_token(NULL, "id", "s", "t"),
    kmskit_config_builder_set_sts_token(b, NULL, "s", "t"),
    kmskit_config_builder_set_sts_token(b, "id", NULL, "t"),
    kmskit_config_builder_set_sts_token(b, "id", "s", NULL),
  };
  for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
    if (r[i] != KMSKIT_RESULT_INVALID_ARGUMENT) fprintf(stderr, "  case %zu -> %u\n", i, (unsigned)r[i]);
    CHECK(r[i] == KMSKIT_RESULT_INVALID_ARGUMENT);
  }
  kmskit_client *c = (kmskit_client *)0x1;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_new(NULL, &c, &err), err);
  CHECK(c == (kmskit_client *)0x1); /* untouched on failure */
  CHECK(err && strstr(kmskit_error_message(err), "builder") != NULL);
  kmskit_error_free(err);
  kmskit_config_builder_set_region(b, "cn-hangzhou");
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_new(b, NULL, NULL), NULL);
  kmskit_config_builder_free(b);
}

/* kmskit_client_new borrows the builder: two clients from one builder outlive it. */
static void test_builder_is_borrowed(void) {
  kmskit_config_builder *b = h_builder(NULL);
  kmskit_client *c1 = NULL, *c2 = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c1, NULL), NULL);
  CHECK_RC(0, kmskit_client_new(b, &c2, NULL), NULL);
  kmskit_config_builder_free(b);
  kmskit_buffer *o1 = NULL, *o2 = NULL;
  CHECK_RC(0, kmskit_client_call(c1, "ListKeys", "{}", &o1, NULL), NULL);
  CHECK_RC(0, kmskit_client_call(c2, "ListKeys", "{}", &o2, NULL), NULL);
  kmskit_buffer_free(o1);
  kmskit_buffer_free(o2);
  kmskit_client_free(c1);
  kmskit_client_free(c2);
}

static void test_encrypt_decrypt(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  CHECK(key != NULL);
  const uint8_t pt[] = {'h', 'i', 0x00, 0xff, 0x10, '!'};
  const char *ctx = "{\"app\":\"ctest\",\"n\":\"1\"}";
  kmskit_response *enc = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_encrypt(c, key, pt, sizeof pt, ctx, &enc, &err), err);
  char *blob = h_field(kmskit_response_ciphertext_blob, enc);
  char *kid = h_field(kmskit_response_key_id, enc);
  char *kver = h_field(kmskit_response_key_version_id, enc);
  char *rid = h_field(kmskit_response_request_id, enc);
  CHECK(blob && strlen(blob) > 20);
  CHECK(kid && key && strcmp(kid, key) == 0);
  CHECK(kver && *kver);
  CHECK(rid && *rid);
  kmskit_buffer *nope = SENTINEL_BUF;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_plaintext(enc, &nope), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_secret_data(enc, &nope), NULL);
  CHECK(nope == SENTINEL_BUF);
  CHECK(kmskit_response_version_stage_count(enc) == 0);

  kmskit_response *dec = NULL;
  CHECK_RC(0, kmskit_client_decrypt(c, blob, ctx, &dec, &err), err);
  kmskit_buffer *plain = NULL;
  CHECK_RC(0, kmskit_response_plaintext(dec, &plain), NULL);
  CHECK(kmskit_buffer_len(plain) == sizeof pt);
  CHECK(plain && memcmp(kmskit_buffer_data(plain), pt, sizeof pt) == 0);
  CHECK(plain && kmskit_buffer_data(plain)[sizeof pt] == 0); /* trailing NUL */
  char *dkid = h_field(kmskit_response_key_id, dec);
  CHECK(dkid && key && strcmp(dkid, key) == 0);
  kmskit_buffer *b2 = SENTINEL_BUF;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_ciphertext_blob(dec, &b2), NULL);

  /* The wrong encryption context does not decrypt. */
  kmskit_response *bad = SENTINEL_RESP;
  kmskit_error *err2 = NULL;
  kmskit_result rc = kmskit_client_decrypt(c, blob, "{\"app\":\"other\"}", &bad, &err2);
  CHECK(rc != KMSKIT_RESULT_OK);
  CHECK(bad == SENTINEL_RESP);
  CHECK(err2 && kmskit_error_code(err2) == rc);
  kmskit_error_free(err2);

  kmskit_buffer_free(plain);
  kmskit_response_free(enc);
  kmskit_response_free(dec);
  free(blob); free(kid); free(kver); free(rid); free(dkid); free(key);
  kmskit_client_free(c);
}

static void test_generate_data_key(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  kmskit_response *r = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_generate_data_key(c, key, 0, NULL, NULL, &r, &err), err);
  kmskit_buffer *dk = NULL;
  CHECK_RC(0, kmskit_response_plaintext(r, &dk), NULL);
  CHECK(kmskit_buffer_len(dk) == 32); /* AES_256 by default */
  char *blob = h_field(kmskit_response_ciphertext_blob, r);
  char *kid = h_field(kmskit_response_key_id, r);
  char *rid = h_field(kmskit_response_request_id, r);
  CHECK(blob && *blob && kid && key && strcmp(kid, key) == 0 && rid && *rid);
  /* The ciphertext decrypts to the same data key. */
  kmskit_response *d = NULL;
  CHECK_RC(0, kmskit_client_decrypt(c, blob, NULL, &d, &err), err);
  kmskit_buffer *back = NULL;
  CHECK_RC(0, kmskit_response_plaintext(d, &back), NULL);
  CHECK(kmskit_buffer_len(back) == 32 && memcmp(kmskit_buffer_data(back), kmskit_buffer_data(dk), 32) == 0);

  kmskit_response *r16 = NULL, *r128 = NULL;
  CHECK_RC(0, kmskit_client_generate_data_key(c, key, 16, NULL, "{\"k\":\"v\"}", &r16, &err), err);
  CHECK_RC(0, kmskit_client_generate_data_key(c, key, 0, "AES_128", NULL, &r128, &err), err);
  kmskit_buffer *p16 = NULL, *p128 = NULL;
  kmskit_response_plaintext(r16, &p16);
  kmskit_response_plaintext(r128, &p128);
  CHECK(kmskit_buffer_len(p16) == 16);
  CHECK(kmskit_buffer_len(p128) == 16);
  kmskit_buffer_free(p16); kmskit_buffer_free(p128); kmskit_buffer_free(dk); kmskit_buffer_free(back);
  kmskit_response_free(r); kmskit_response_free(r16); kmskit_response_free(r128); kmskit_response_free(d);
  free(blob); free(kid); free(rid); free(key);
  kmskit_client_free(c);
}

static void test_generate_data_key_without_plaintext(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  kmskit_response *r = NULL;
  kmskit_error *err = NULL;
  const char *ctx = "{\"purpose\":\"wrap\"}";
  CHECK_RC(0, kmskit_client_generate_data_key_without_plaintext(c, key, 24, NULL, ctx, &r, &err), err);
  kmskit_buffer *none = SENTINEL_BUF;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_plaintext(r, &none), NULL);
  CHECK(none == SENTINEL_BUF);
  char *blob = h_field(kmskit_response_ciphertext_blob, r);
  char *kver = h_field(kmskit_response_key_version_id, r);
  char *rid = h_field(kmskit_response_request_id, r);
  CHECK(blob && *blob && kver && *kver && rid && *rid);
  kmskit_response *d = NULL;
  CHECK_RC(0, kmskit_client_decrypt(c, blob, ctx, &d, &err), err);
  kmskit_buffer *p = NULL;
  kmskit_response_plaintext(d, &p);
  CHECK(kmskit_buffer_len(p) == 24);
  kmskit_buffer_free(p);
  kmskit_response_free(d);
  kmskit_response_free(r);
  free(blob); free(kver); free(rid); free(key);
  kmskit_client_free(c);
}

static void test_get_secret_value(void) {
  kmskit_client *c = h_client(NULL);
  char name[64], params[256];
  snprintf(name, sizeof name, "ctest/secret-%d", rand());
  snprintf(params, sizeof params,
           "{\"SecretName\":\"%s\",\"SecretData\":\"s3cr3t-v1\",\"VersionId\":\"v1\"}", name);
  kmskit_buffer *o = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_call(c, "CreateSecret", params, &o, &err), err);
  kmskit_buffer_free(o);
  snprintf(params, sizeof params,
           "{\"SecretName\":\"%s\",\"SecretData\":\"s3cr3t-v2\",\"VersionId\":\"v2\"}", name);
  CHECK_RC(0, kmskit_client_call(c, "PutSecretValue", params, &o, &err), err);
  kmskit_buffer_free(o);

  kmskit_response *r = NULL;
  CHECK_RC(0, kmskit_client_get_secret_value(c, name, NULL, NULL, false, &r, &err), err);
  char *data = h_field(kmskit_response_secret_data, r);
  char *sname = h_field(kmskit_response_secret_name, r);
  char *vid = h_field(kmskit_response_version_id, r);
  char *stype = h_field(kmskit_response_secret_type, r);
  char *dtype = h_field(kmskit_response_secret_data_type, r);
  char *ctime = h_field(kmskit_response_create_time, r);
  char *rid = h_field(kmskit_response_request_id, r);
  CHECK(data && strcmp(data, "s3cr3t-v2") == 0);
  CHECK(sname && strcmp(sname, name) == 0);
  CHECK(vid && strcmp(vid, "v2") == 0);
  CHECK(stype && *stype && dtype && strcmp(dtype, "text") == 0 && ctime && *ctime && rid && *rid);
  size_t n = kmskit_response_version_stage_count(r);
  int current = 0;
  for (size_t i = 0; i < n; i++) {
    kmskit_buffer *s = NULL;
    CHECK_RC(0, kmskit_response_version_stage(r, i, &s), NULL);
    if (s && strcmp((const char *)kmskit_buffer_data(s), "ACSCurrent") == 0) current = 1;
    kmskit_buffer_free(s);
  }
  CHECK(current);
  kmskit_buffer *s = SENTINEL_BUF;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_version_stage(r, n, &s), NULL);
  CHECK(s == SENTINEL_BUF);
  /* Optional fields: success; NULL when the service left them out. */
  kmskit_result (*optional[])(const kmskit_response *, kmskit_buffer **) = {
    kmskit_response_automatic_rotation, kmskit_response_rotation_interval,
    kmskit_response_last_rotation_date, kmskit_response_next_rotation_date,
    kmskit_response_extended_config};
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
    kmskit_buffer *v = SENTINEL_BUF;
    CHECK_RC(0, optional[i](r, &v), NULL);
    CHECK(v != SENTINEL_BUF);
    kmskit_buffer_free(v);
  }
  kmskit_buffer *nope = SENTINEL_BUF;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_response_ciphertext_blob(r, &nope), NULL);
  kmskit_response_free(r);

  /* By version id, by stage, with the extended config. */
  kmskit_response *r1 = NULL, *r2 = NULL, *r3 = NULL;
  CHECK_RC(0, kmskit_client_get_secret_value(c, name, "v1", NULL, false, &r1, &err), err);
  CHECK_RC(0, kmskit_client_get_secret_value(c, name, NULL, "ACSPrevious", false, &r2, &err), err);
  CHECK_RC(0, kmskit_client_get_secret_value(c, name, NULL, NULL, true, &r3, &err), err);
  char *d1 = h_field(kmskit_response_secret_data, r1);
  char *d2 = h_field(kmskit_response_secret_data, r2);
  char *d3 = h_field(kmskit_response_secret_data, r3);
  CHECK(d1 && strcmp(d1, "s3cr3t-v1") == 0);
  CHECK(d2 && strcmp(d2, "s3cr3t-v1") == 0);
  CHECK(d3 && strcmp(d3, "s3cr3t-v2") == 0);

  /* An unknown secret. */
  kmskit_response *missing = SENTINEL_RESP;
  kmskit_error *e = NULL;
  CHECK_RC(KMSKIT_RESULT_RESOURCE_NOT_FOUND,
           kmskit_client_get_secret_value(c, "ctest/no-such-secret", NULL, NULL, false, &missing, &e), e);
  CHECK(missing == SENTINEL_RESP);
  CHECK(e && kmskit_error_request_id(e) != NULL);
  kmskit_error_free(e);

  kmskit_response_free(r1); kmskit_response_free(r2); kmskit_response_free(r3);
  free(d1); free(d2); free(d3);
  free(data); free(sname); free(vid); free(stype); free(dtype); free(ctime); free(rid);
  kmskit_client_free(c);
}

static void test_call(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  CHECK(key && strncmp(key, "key-", 4) == 0);
  char params[200];
  snprintf(params, sizeof params, "{\"KeyId\":\"%s\"}", key);
  kmskit_buffer *o = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_call(c, "DescribeKey", params, &o, &err), err);
  const char *json = o ? (const char *)kmskit_buffer_data(o) : "";
  CHECK(json[0] == '{' && json[kmskit_buffer_len(o) - 1] == '}');
  CHECK(strstr(json, "\"KeyMetadata\"") != NULL && strstr(json, key) != NULL);
  kmskit_buffer_free(o);

  /* Bad JSON, and JSON that is not an object: 1001, nothing sent, out untouched. */
  const char *bad[] = {"{\"KeyId\":", "[1,2]", "\"KeyId\"", "null"};
  for (size_t i = 0; i < 4; i++) {
    kmskit_buffer *out = SENTINEL_BUF;
    kmskit_error *e = NULL;
    CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_call(c, "DescribeKey", bad[i], &out, &e), e);
    CHECK(out == SENTINEL_BUF);
    CHECK(e && strcmp(kmskit_error_kind(e), "InvalidArgument") == 0);
    CHECK(e && kmskit_error_request_id(e) == NULL && kmskit_error_http_status(e) == 0);
    kmskit_error_free(e);
  }
  /* The same for the encryption context of the typed operations. */
  kmskit_response *r = SENTINEL_RESP;
  kmskit_error *e = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT,
           kmskit_client_encrypt(c, key, (const uint8_t *)"x", 1, "{not json", &r, &e), e);
  CHECK(r == SENTINEL_RESP);
  kmskit_error_free(e);
  e = NULL;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT,
           kmskit_client_generate_data_key(c, key, 0, NULL, "[\"a\"]", &r, &e), e);
  kmskit_error_free(e);
  /* An invalid action name is refused before anything is sent. */
  kmskit_buffer *out = SENTINEL_BUF;
  CHECK(kmskit_client_call(c, "Describe Key!", NULL, &out, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(out == SENTINEL_BUF);
  free(key);
  kmskit_client_free(c);
}

static void test_error_unknown_key(void) {
  kmskit_client *c = h_client(NULL);
  kmskit_response *r = SENTINEL_RESP;
  kmskit_error *err = NULL;
  kmskit_result rc = kmskit_client_encrypt(c, "key-does-not-exist", (const uint8_t *)"x", 1, NULL, &r, &err);
  CHECK_RC(KMSKIT_RESULT_RESOURCE_NOT_FOUND, rc, err);
  CHECK(r == SENTINEL_RESP);
  CHECK(err != NULL);
  if (err) {
    CHECK(kmskit_error_code(err) == 3301);
    CHECK(strcmp(kmskit_error_name(err), "ResourceNotFound") == 0);
    CHECK(strcmp(kmskit_error_kind(err), "NotFound") == 0);
    CHECK(kmskit_error_request_id(err) != NULL && strlen(kmskit_error_request_id(err)) > 0);
    CHECK(kmskit_error_service_code(err) && strcmp(kmskit_error_service_code(err), "Forbidden.KeyNotFound") == 0);
    CHECK(kmskit_error_http_status(err) == 404);
    CHECK(!kmskit_error_retryable(err));
    CHECK(kmskit_error_message(err) && *kmskit_error_message(err));
  }
  kmskit_error_free(err);
  /* err is optional. */
  CHECK(kmskit_client_decrypt(c, "bm8gc3VjaCBibG9i", NULL, &r, NULL) != KMSKIT_RESULT_OK);
  kmskit_client_free(c);
}

static void test_error_wrong_secret(void) {
  kmskit_client *c = h_client("definitely-not-the-secret");
  kmskit_buffer *o = SENTINEL_BUF;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_AUTHENTICATION_FAILED, kmskit_client_call(c, "ListKeys", NULL, &o, &err), err);
  CHECK(o == SENTINEL_BUF);
  CHECK(err && strcmp(kmskit_error_kind(err), "Authentication") == 0);
  CHECK(err && kmskit_error_request_id(err) != NULL);
  CHECK(err && kmskit_error_http_status(err) >= 400);
  /* The secret never appears in the message. */
  CHECK(err && strstr(kmskit_error_message(err), "definitely-not-the-secret") == NULL);
  kmskit_error_free(err);
  kmskit_client_free(c);
}

static void test_error_connection_refused(void) {
  kmskit_config_builder *b = h_builder(NULL);
  kmskit_config_builder_set_endpoint(b, "http://127.0.0.1:1");
  kmskit_client *c = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, NULL), NULL);
  kmskit_buffer *o = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_CONNECT_FAILED, kmskit_client_call(c, "ListKeys", NULL, &o, &err), err);
  CHECK(err && strcmp(kmskit_error_kind(err), "Network") == 0 && kmskit_error_retryable(err));
  CHECK(err && kmskit_error_request_id(err) == NULL && kmskit_error_http_status(err) == 0);
  kmskit_error_free(err);
  kmskit_client_free(c);
  kmskit_config_builder_free(b);
}

/* Without credentials in the builder, a client uses the default chain, which reads the
 * environment when the client is built: with nothing configured (no variables, no profile
 * files under an empty HOME, ECS disabled by scripts/test-c) that is 1203. */
static void test_credentials_from_environment(void) {
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_ENDPOINT"));
  kmskit_config_builder_set_max_attempts(b, 1);
  char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  char empty_home[] = "/tmp/kmskit-ctest-home-XXXXXX";
  CHECK(mkdtemp(empty_home) != NULL);
  setenv("HOME", empty_home, 1);
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  unsetenv("ALIBABA_CLOUD_SECURITY_TOKEN");
  kmskit_client *c = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, NULL), NULL);
  kmskit_buffer *o = SENTINEL_BUF;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_CREDENTIALS_NOT_CONFIGURED, kmskit_client_call(c, "ListKeys", NULL, &o, &err), err);
  CHECK(o == SENTINEL_BUF);
  CHECK(err && strcmp(kmskit_error_name(err), "CredentialsNotConfigured") == 0);
  CHECK(err && strcmp(kmskit_error_kind(err), "Credentials") == 0);
  kmskit_error_free(err);
  kmskit_client_free(c);
  err = NULL;
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", h_env("KMSKIT_TEST_AK"), 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", h_env("KMSKIT_TEST_SECRET"), 1);
  c = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, NULL), NULL);
  o = NULL;
  CHECK_RC(0, kmskit_client_call(c, "ListKeys", NULL, &o, &err), err);
  kmskit_buffer_free(o);
  kmskit_client_free(c);
  kmskit_config_builder_free(b);
  if (home) { setenv("HOME", home, 1); free(home); }
  rmdir(empty_home);
}

/* NULL for every pointer argument of every operation and accessor: 1001, out untouched. */
static void test_null_arguments(void) {
  kmskit_client *c = h_client(NULL);
  const uint8_t pt[] = "x";
  kmskit_response *r = SENTINEL_RESP;
  kmskit_buffer *o = SENTINEL_BUF;
  kmskit_error *e = NULL;
#define EXPECT_NULL_ARG(call, what)                                                   \
  do {                                                                                \
    e = NULL;                                                                         \
    kmskit_result rc_ = (call);                                                       \
    if (rc_ != KMSKIT_RESULT_INVALID_ARGUMENT) fprintf(stderr, "  %s -> %u\n", #call, (unsigned)rc_); \
    CHECK(rc_ == KMSKIT_RESULT_INVALID_ARGUMENT);                                     \
    if (what) CHECK(e && strstr(kmskit_error_message(e), what) != NULL);              \
    kmskit_error_free(e);                                                             \
  } while (0)
  EXPECT_NULL_ARG(kmskit_client_encrypt(NULL, "k", pt, 1, NULL, &r, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_encrypt(c, NULL, pt, 1, NULL, &r, &e), "key_id");
  EXPECT_NULL_ARG(kmskit_client_encrypt(c, "k", NULL, 1, NULL, &r, &e), "plaintext");
  EXPECT_NULL_ARG(kmskit_client_encrypt(c, "k", pt, 1, NULL, NULL, &e), "out");
  EXPECT_NULL_ARG(kmskit_client_encrypt(c, INVALID_UTF8, pt, 1, NULL, &r, &e), "UTF-8");
  EXPECT_NULL_ARG(kmskit_client_decrypt(NULL, "b", NULL, &r, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_decrypt(c, NULL, NULL, &r, &e), "ciphertext_blob");
  EXPECT_NULL_ARG(kmskit_client_decrypt(c, "b", NULL, NULL, &e), "out");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key(NULL, "k", 0, NULL, NULL, &r, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key(c, NULL, 0, NULL, NULL, &r, &e), "key_id");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key(c, "k", 0, NULL, NULL, NULL, &e), "out");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key(c, "k", 0, INVALID_UTF8, NULL, &r, &e), "key_spec");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key_without_plaintext(NULL, "k", 0, NULL, NULL, &r, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key_without_plaintext(c, NULL, 0, NULL, NULL, &r, &e), "key_id");
  EXPECT_NULL_ARG(kmskit_client_generate_data_key_without_plaintext(c, "k", 0, NULL, NULL, NULL, &e), "out");
  EXPECT_NULL_ARG(kmskit_client_get_secret_value(NULL, "n", NULL, NULL, false, &r, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_get_secret_value(c, NULL, NULL, NULL, false, &r, &e), "secret_name");
  EXPECT_NULL_ARG(kmskit_client_get_secret_value(c, "n", NULL, NULL, false, NULL, &e), "out");
  EXPECT_NULL_ARG(kmskit_client_get_secret_value(c, "n", INVALID_UTF8, NULL, false, &r, &e), "version_id");
  EXPECT_NULL_ARG(kmskit_client_call(NULL, "ListKeys", NULL, &o, &e), "client");
  EXPECT_NULL_ARG(kmskit_client_call(c, NULL, NULL, &o, &e), "action");
  EXPECT_NULL_ARG(kmskit_client_call(c, "ListKeys", NULL, NULL, &e), "out_json");
  CHECK(r == SENTINEL_RESP && o == SENTINEL_BUF);

  kmskit_result (*accessors[])(const kmskit_response *, kmskit_buffer **) = {
    kmskit_response_ciphertext_blob, kmskit_response_key_id, kmskit_response_key_version_id,
    kmskit_response_request_id, kmskit_response_plaintext, kmskit_response_secret_data,
    kmskit_response_secret_name, kmskit_response_secret_type, kmskit_response_secret_data_type,
    kmskit_response_version_id, kmskit_response_create_time, kmskit_response_automatic_rotation,
    kmskit_response_rotation_interval, kmskit_response_last_rotation_date,
    kmskit_response_next_rotation_date, kmskit_response_extended_config};
  char *key = h_create_key(c);
  kmskit_response *enc = NULL;
  CHECK_RC(0, kmskit_client_encrypt(c, key, pt, 1, NULL, &enc, NULL), NULL);
  for (size_t i = 0; i < sizeof accessors / sizeof accessors[0]; i++) {
    CHECK(accessors[i](NULL, &o) == KMSKIT_RESULT_INVALID_ARGUMENT);
    CHECK(accessors[i](enc, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  }
  CHECK(o == SENTINEL_BUF);
  CHECK(kmskit_response_version_stage(NULL, 0, &o) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(kmskit_response_version_stage_count(NULL) == 0);
  CHECK(kmskit_buffer_data(NULL) == NULL);
  CHECK(kmskit_buffer_len(NULL) == 0);
  CHECK(kmskit_error_code(NULL) == 0);
  CHECK(kmskit_error_name(NULL) == NULL);
  CHECK(kmskit_error_kind(NULL) == NULL);
  CHECK(kmskit_error_message(NULL) == NULL);
  CHECK(kmskit_error_service_code(NULL) == NULL);
  CHECK(kmskit_error_request_id(NULL) == NULL);
  CHECK(kmskit_error_http_status(NULL) == 0);
  CHECK(!kmskit_error_retryable(NULL));
  kmskit_response_free(enc);
  free(key);
  kmskit_client_free(c);
}

/* Buffers are independent of the response and the client they came from. */
static void test_buffer_lifetimes(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  kmskit_response *r = NULL;
  CHECK_RC(0, kmskit_client_generate_data_key(c, key, 0, NULL, NULL, &r, NULL), NULL);
  kmskit_buffer *dk = NULL, *blob = NULL, *blob2 = NULL;
  CHECK_RC(0, kmskit_response_plaintext(r, &dk), NULL);
  CHECK_RC(0, kmskit_response_ciphertext_blob(r, &blob), NULL);
  CHECK_RC(0, kmskit_response_ciphertext_blob(r, &blob2), NULL);
  CHECK(blob != blob2); /* every accessor call gives a new buffer */
  uint8_t copy[32];
  memcpy(copy, kmskit_buffer_data(dk), 32);
  kmskit_response_free(r);
  kmskit_client_free(c);
  /* Still readable after the response and client are gone (ASan/valgrind would flag a UAF). */
  CHECK(kmskit_buffer_len(dk) == 32 && memcmp(kmskit_buffer_data(dk), copy, 32) == 0);
  CHECK(strcmp((const char *)kmskit_buffer_data(blob), (const char *)kmskit_buffer_data(blob2)) == 0);
  CHECK(strlen((const char *)kmskit_buffer_data(blob)) == kmskit_buffer_len(blob));
  kmskit_buffer_free(dk);
  kmskit_buffer_free(blob);
  kmskit_buffer_free(blob2);
  free(key);
}

/* (NULL, 0) is the empty byte string, not a NULL argument: the request reaches the service
 * (success, or a service error carrying a request id), while (NULL, 1) is refused locally. */
static void test_empty_plaintext_argument(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  kmskit_response *r = NULL;
  kmskit_error *err = NULL;
  kmskit_result rc = kmskit_client_encrypt(c, key, NULL, 0, NULL, &r, &err);
  CHECK(rc == KMSKIT_RESULT_OK || (err && kmskit_error_request_id(err) != NULL));
  kmskit_response_free(r);
  kmskit_error_free(err);
  err = NULL;
  r = SENTINEL_RESP;
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_encrypt(c, key, NULL, 1, NULL, &r, &err), err);
  CHECK(r == SENTINEL_RESP && err && kmskit_error_request_id(err) == NULL);
  kmskit_error_free(err);
  free(key);
  kmskit_client_free(c);
}

/* Throttling: 3001 with one attempt; with max_attempts 3 the client's retries get through. */
static void test_throttling_and_max_attempts(void) {
  kmskit_client *once = h_client(NULL); /* max_attempts 1 */
  kmskit_config_builder *b = h_builder(NULL);
  kmskit_config_builder_set_max_attempts(b, 3);
  kmskit_client *thrice = NULL;
  CHECK_RC(0, kmskit_client_new(b, &thrice, NULL), NULL);
  kmskit_config_builder_free(b);
  char *key = h_create_key(once);
  kmskit_response *r = SENTINEL_RESP;
  kmskit_error *err = NULL;
  CHECK(h_fault("{\"kind\":\"throttling\",\"action\":\"Encrypt\",\"count\":1}"));
  CHECK_RC(KMSKIT_RESULT_THROTTLED, kmskit_client_encrypt(once, key, (const uint8_t *)"x", 1, NULL, &r, &err), err);
  CHECK(r == SENTINEL_RESP);
  CHECK(err && strcmp(kmskit_error_kind(err), "Throttling") == 0 && kmskit_error_retryable(err));
  CHECK(err && kmskit_error_request_id(err) != NULL);
  kmskit_error_free(err);
  err = NULL;
  CHECK(h_fault("{\"kind\":\"throttling\",\"action\":\"Encrypt\",\"count\":2}"));
  r = NULL;
  CHECK_RC(0, kmskit_client_encrypt(thrice, key, (const uint8_t *)"x", 1, NULL, &r, &err), err);
  kmskit_response_free(r);
  free(key);
  kmskit_client_free(once);
  kmskit_client_free(thrice);
}

/* The read timeout reaches the core: a 2 s delay against a 300 ms timeout is 2102. */
static void test_read_timeout(void) {
  kmskit_config_builder *b = h_builder(NULL);
  kmskit_config_builder_set_read_timeout_ms(b, 300);
  kmskit_client *c = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, NULL), NULL);
  kmskit_config_builder_free(b);
  CHECK(h_fault("{\"kind\":\"delay\",\"action\":\"ListKeys\",\"count\":1,\"delay_ms\":2000}"));
  kmskit_buffer *o = SENTINEL_BUF;
  kmskit_error *err = NULL;
  CHECK_RC(KMSKIT_RESULT_READ_TIMEOUT, kmskit_client_call(c, "ListKeys", NULL, &o, &err), err);
  CHECK(o == SENTINEL_BUF);
  CHECK(err && strcmp(kmskit_error_kind(err), "Timeout") == 0);
  kmskit_error_free(err);
  kmskit_client_free(c);
}

struct thread_arg { kmskit_client *client; const char *key; int ok; };

static void *roundtrips(void *p) {
  struct thread_arg *a = p;
  for (int i = 0; i < 8; i++) {
    char msg[32];
    int len = snprintf(msg, sizeof msg, "thread message %d", i);
    kmskit_response *enc = NULL, *dec = NULL;
    kmskit_buffer *blob = NULL, *plain = NULL;
    if (kmskit_client_encrypt(a->client, a->key, (const uint8_t *)msg, (size_t)len, NULL, &enc, NULL) != 0) return NULL;
    kmskit_response_ciphertext_blob(enc, &blob);
    if (kmskit_client_decrypt(a->client, (const char *)kmskit_buffer_data(blob), NULL, &dec, NULL) == 0 &&
        kmskit_response_plaintext(dec, &plain) == 0 && kmskit_buffer_len(plain) == (size_t)len &&
        memcmp(kmskit_buffer_data(plain), msg, (size_t)len) == 0)
      a->ok++;
    kmskit_buffer_free(blob);
    kmskit_buffer_free(plain);
    kmskit_response_free(enc);
    kmskit_response_free(dec);
  }
  return NULL;
}

/* One client shared by four threads at once. */
static void test_client_shared_across_threads(void) {
  kmskit_client *c = h_client(NULL);
  char *key = h_create_key(c);
  pthread_t t[4];
  struct thread_arg a[4];
  for (int i = 0; i < 4; i++) {
    a[i] = (struct thread_arg){c, key, 0};
    CHECK(pthread_create(&t[i], NULL, roundtrips, &a[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(a[i].ok == 8);
  }
  free(key);
  kmskit_client_free(c);
}

int main(void) {
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  RUN(test_version);
  RUN(test_operations_parity);
  RUN(test_credentials_sources_parity);
  RUN(test_result_names);
  RUN(test_free_null_is_safe);
  RUN(test_builder_every_setter);
  RUN(test_builder_rejects_bad_values);
  RUN(test_builder_null_arguments);
  RUN(test_builder_is_borrowed);
  RUN(test_encrypt_decrypt);
  RUN(test_generate_data_key);
  RUN(test_generate_data_key_without_plaintext);
  RUN(test_get_secret_value);
  RUN(test_call);
  RUN(test_error_unknown_key);
  RUN(test_error_wrong_secret);
  RUN(test_error_connection_refused);
  RUN(test_credentials_from_environment);
  RUN(test_null_arguments);
  RUN(test_buffer_lifetimes);
  RUN(test_empty_plaintext_argument);
  RUN(test_throttling_and_max_attempts);
  RUN(test_read_timeout);
  RUN(test_client_shared_across_threads);
  return h_finish("test_api");
}
