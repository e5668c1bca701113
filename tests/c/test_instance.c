/* The dedicated gateway's Instance API through the C API, against the emulator's HTTPS
 * listener and the ClientKey it issued: ClientKey loading (file, JSON, PEM, password sources,
 * wrong password), every one of the 15 operations, the options handle, routing between the
 * shared and dedicated gateways, a wrong CA, parity with the core's list, NULL arguments. */
#include <time.h>

#include "harness.h"

static kmskit_response *const SENTINEL_RESP = (kmskit_response *)0x1;
static kmskit_client_key *const SENTINEL_KEY = (kmskit_client_key *)0x1;

static kmskit_client_key *load_key(void) {
  kmskit_client_key *k = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_key_from_file(h_env("KMSKIT_TEST_CLIENT_KEY_FILE"), NULL,
                                          h_env("KMSKIT_TEST_CLIENT_KEY_PASSWORD_FILE"), NULL, &k, &err), err);
  kmskit_error_free(err);
  return k;
}

/* A client on the emulator's HTTPS listener: RAM calls and the Instance API on one server. */
static kmskit_client *dedicated_client(const char *route) {
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_DEDICATED_ENDPOINT"));
  kmskit_config_builder_set_ca_file(b, h_env("KMSKIT_TEST_CA_FILE"));
  kmskit_config_builder_set_access_key(b, h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"));
  kmskit_config_builder_set_max_attempts(b, 1);
  kmskit_client_key *k = load_key();
  CHECK_RC(0, kmskit_config_builder_set_client_key(b, k), NULL);
  kmskit_client_key_free(k);
  if (route) CHECK_RC(0, kmskit_config_builder_set_route(b, route), NULL);
  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, &err), err);
  kmskit_error_free(err);
  kmskit_config_builder_free(b);
  return c;
}

static char *create_key(kmskit_client *c, const char *spec, const char *usage) {
  char params[256];
  snprintf(params, sizeof params, "{\"KeySpec\":\"%s\",\"KeyUsage\":\"%s\"}", spec, usage);
  kmskit_buffer *out = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_call(c, "CreateKey", params, &out, &err), err);
  kmskit_error_free(err);
  char *id = h_json_str(out ? (const char *)kmskit_buffer_data(out) : NULL, "KeyId");
  kmskit_buffer_free(out);
  return id;
}

/* A response field as a buffer (NULL on failure). */
static kmskit_buffer *get(kmskit_result (*f)(const kmskit_response *, kmskit_buffer **),
                          const kmskit_response *r) {
  kmskit_buffer *b = NULL;
  CHECK_RC(0, f(r, &b), NULL);
  return b;
}

static void test_parity(void) {
  const char *names[] = {
    "Encrypt", "Decrypt", "AdvanceEncrypt", "AdvanceDecrypt", "Sign", "Verify", "GenerateRandom",
    "GenerateDataKey", "AdvanceGenerateDataKey", "GenerateDataKeyPair", "AdvanceGenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "AdvanceGenerateDataKeyPairWithoutPlaintext",
    "GetPublicKey", "GetSecretValue"};
  void (*fns[])(void) = {
    (void (*)(void))kmskit_client_instance_encrypt, (void (*)(void))kmskit_client_instance_decrypt,
    (void (*)(void))kmskit_client_instance_advance_encrypt, (void (*)(void))kmskit_client_instance_advance_decrypt,
    (void (*)(void))kmskit_client_instance_sign, (void (*)(void))kmskit_client_instance_verify,
    (void (*)(void))kmskit_client_instance_generate_random, (void (*)(void))kmskit_client_instance_generate_data_key,
    (void (*)(void))kmskit_client_instance_advance_generate_data_key,
    (void (*)(void))kmskit_client_instance_generate_data_key_pair,
    (void (*)(void))kmskit_client_instance_advance_generate_data_key_pair,
    (void (*)(void))kmskit_client_instance_generate_data_key_pair_without_plaintext,
    (void (*)(void))kmskit_client_instance_advance_generate_data_key_pair_without_plaintext,
    (void (*)(void))kmskit_client_instance_get_public_key, (void (*)(void))kmskit_client_instance_get_secret_value};
  size_t n = kmskit_instance_operation_count();
  CHECK(n == sizeof names / sizeof names[0]);
  for (size_t i = 0; i < n; i++) {
    const char *op = kmskit_instance_operation(i);
    int found = 0;
    for (size_t j = 0; op && j < sizeof names / sizeof names[0]; j++)
      if (strcmp(op, names[j]) == 0 && fns[j] != NULL) found = 1;
    if (!found) fprintf(stderr, "  no C function for %s\n", op ? op : "(null)");
    CHECK(found);
  }
  CHECK(kmskit_instance_operation(n) == NULL);
}

static void test_client_key_loading(void) {
  kmskit_client_key *k = load_key();
  const char *id = kmskit_client_key_id(k);
  CHECK(id && strncmp(id, "KAAP.", 5) == 0);
  CHECK(strstr(h_env("KMSKIT_TEST_CLIENT_KEY_FILE"), id) != NULL);
  kmskit_error *err = NULL;
  /* The same key from the file's JSON with the password text, and with it in a variable. */
  char *json = h_read_file(h_env("KMSKIT_TEST_CLIENT_KEY_FILE"));
  char *pw = h_read_file(h_env("KMSKIT_TEST_CLIENT_KEY_PASSWORD_FILE"));
  CHECK(json && pw);
  if (pw) pw[strcspn(pw, "\r\n")] = '\0';
  kmskit_client_key *k2 = NULL;
  CHECK_RC(0, kmskit_client_key_from_json(json, pw, NULL, NULL, &k2, &err), err);
  CHECK(k2 && strcmp(kmskit_client_key_id(k2), id) == 0);
  kmskit_client_key_free(k2);
  setenv("KMSKIT_CTEST_CK_PASSWORD", pw ? pw : "", 1);
  k2 = NULL;
  CHECK_RC(0, kmskit_client_key_from_file(h_env("KMSKIT_TEST_CLIENT_KEY_FILE"), NULL, NULL,
                                          "KMSKIT_CTEST_CK_PASSWORD", &k2, &err), err);
  kmskit_client_key_free(k2);
  /* A wrong password: 1202 ClientKeyInvalid, the password never in the message. */
  kmskit_client_key *bad = SENTINEL_KEY;
  CHECK_RC(KMSKIT_RESULT_CLIENT_KEY_INVALID,
           kmskit_client_key_from_json(json, "wrong-password-123", NULL, NULL, &bad, &err), err);
  CHECK(bad == SENTINEL_KEY);
  CHECK(err && strcmp(kmskit_error_name(err), "ClientKeyInvalid") == 0);
  CHECK(err && strcmp(kmskit_error_kind(err), "Credentials") == 0);
  CHECK(err && strstr(kmskit_error_message(err), "wrong-password-123") == NULL);
  kmskit_error_free(err);
  err = NULL;
  /* Exactly one password source. */
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_key_from_json(json, NULL, NULL, NULL, &bad, &err), err);
  kmskit_error_free(err);
  CHECK(kmskit_client_key_from_json(json, "a", "b", NULL, &bad, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  /* Missing file, unset variable, garbage PEM: 1202. */
  CHECK(kmskit_client_key_from_file("/nonexistent/clientKey.json", "x", NULL, NULL, &bad, NULL) ==
        KMSKIT_RESULT_CLIENT_KEY_INVALID);
  unsetenv("KMSKIT_CTEST_UNSET");
  CHECK(kmskit_client_key_from_json(json, NULL, NULL, "KMSKIT_CTEST_UNSET", &bad, NULL) ==
        KMSKIT_RESULT_CLIENT_KEY_INVALID);
  CHECK(kmskit_client_key_from_private_key_pem("KAAP.x", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                               &bad, NULL) == KMSKIT_RESULT_CLIENT_KEY_INVALID);
  CHECK(bad == SENTINEL_KEY);
  /* A PEM private key: the shared test key. */
  char *pem = h_read_file("/work/shared/testdata/clientkey/clientkey_private.pem");
  if (pem) {
    k2 = NULL;
    CHECK_RC(0, kmskit_client_key_from_private_key_pem("KAAP.ctest", pem, &k2, &err), err);
    CHECK(k2 && strcmp(kmskit_client_key_id(k2), "KAAP.ctest") == 0);
    kmskit_client_key_free(k2);
    free(pem);
  }
  free(json);
  free(pw);
  kmskit_client_key_free(k);
}

static void test_encrypt_decrypt(void) {
  kmskit_client *c = dedicated_client(NULL);
  char *key = create_key(c, "Aliyun_AES_256", "ENCRYPT/DECRYPT");
  const uint8_t pt[] = {'h', 'e', 'l', 'l', 'o', 0x00, 0xfe};
  const uint8_t aad[] = "ctest-aad";
  kmskit_instance_options *o = NULL;
  CHECK_RC(0, kmskit_instance_options_new(&o), NULL);
  CHECK_RC(0, kmskit_instance_options_set_aad(o, aad, sizeof aad - 1), NULL);
  CHECK_RC(0, kmskit_instance_options_set_algorithm(o, "AES_GCM"), NULL);
  kmskit_response *enc = NULL, *dec = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_instance_encrypt(c, key, pt, sizeof pt, o, &enc, &err), err);
  kmskit_buffer *blob = get(kmskit_response_ciphertext_blob, enc), *iv = get(kmskit_response_iv, enc);
  char *alg = h_field(kmskit_response_algorithm, enc), *kid = h_field(kmskit_response_key_id, enc);
  char *rid = h_field(kmskit_response_request_id, enc);
  CHECK(kmskit_buffer_len(blob) >= sizeof pt && kmskit_buffer_len(iv) == 12);
  CHECK(alg && strcmp(alg, "AES_GCM") == 0);
  CHECK(kid && key && strcmp(kid, key) == 0);
  CHECK(rid && *rid);
  /* Decrypt needs the IV back, and the same AAD. */
  CHECK_RC(0, kmskit_instance_options_set_iv(o, kmskit_buffer_data(iv), kmskit_buffer_len(iv)), NULL);
  CHECK_RC(0, kmskit_client_instance_decrypt(c, key, kmskit_buffer_data(blob), kmskit_buffer_len(blob), o, &dec, &err), err);
  kmskit_buffer *plain = get(kmskit_response_plaintext, dec);
  CHECK(kmskit_buffer_len(plain) == sizeof pt && memcmp(kmskit_buffer_data(plain), pt, sizeof pt) == 0);
  kmskit_buffer *kv = NULL;
  CHECK_RC(0, kmskit_response_key_version_id(dec, &kv), NULL); /* Decrypt has none: NULL */
  CHECK(kv == NULL);
  /* Tampered AAD: refused by the gateway with its request id. */
  kmskit_instance_options_set_aad(o, (const uint8_t *)"other", 5);
  kmskit_response *bad = SENTINEL_RESP;
  kmskit_error *e2 = NULL;
  kmskit_result rc = kmskit_client_instance_decrypt(c, key, kmskit_buffer_data(blob), kmskit_buffer_len(blob), o, &bad, &e2);
  CHECK(rc != KMSKIT_RESULT_OK && bad == SENTINEL_RESP);
  CHECK(e2 && kmskit_error_code(e2) == rc);
  kmskit_error_free(e2);
  /* An option the API does not take: 1001 before anything is sent. */
  kmskit_instance_options_set_message_type(o, "RAW");
  CHECK_RC(KMSKIT_RESULT_INVALID_ARGUMENT, kmskit_client_instance_encrypt(c, key, pt, 1, o, &bad, NULL), NULL);
  kmskit_buffer_free(blob); kmskit_buffer_free(iv); kmskit_buffer_free(plain);
  kmskit_response_free(enc); kmskit_response_free(dec);
  kmskit_instance_options_free(o);
  free(alg); free(kid); free(rid); free(key);
  kmskit_client_free(c);
}

static void test_advance_encrypt_decrypt(void) {
  kmskit_client *c = dedicated_client(NULL);
  char *key = create_key(c, "Aliyun_AES_256", "ENCRYPT/DECRYPT");
  const char *msg = "advance round trip";
  kmskit_response *enc = NULL, *dec = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_instance_advance_encrypt(c, key, (const uint8_t *)msg, strlen(msg), NULL, &enc, &err), err);
  kmskit_buffer *blob = get(kmskit_response_ciphertext_blob, enc);
  char *kver = h_field(kmskit_response_key_version_id, enc);
  CHECK(kver && *kver);
  /* The blob names its key and IV: no key id needed. */
  CHECK_RC(0, kmskit_client_instance_advance_decrypt(c, kmskit_buffer_data(blob), kmskit_buffer_len(blob), NULL, &dec, &err), err);
  kmskit_buffer *plain = get(kmskit_response_plaintext, dec);
  CHECK(kmskit_buffer_len(plain) == strlen(msg) && memcmp(kmskit_buffer_data(plain), msg, strlen(msg)) == 0);
  char *dver = h_field(kmskit_response_key_version_id, dec);
  CHECK(dver && kver && strcmp(dver, kver) == 0);
  kmskit_buffer_free(blob); kmskit_buffer_free(plain);
  kmskit_response_free(enc); kmskit_response_free(dec);
  free(kver); free(dver); free(key);
  kmskit_client_free(c);
}

static void test_sign_verify_public_key(void) {
  kmskit_client *c = dedicated_client(NULL);
  char *key = create_key(c, "RSA_2048", "SIGN/VERIFY");
  const char *msg = "message to sign";
  kmskit_instance_options *o = NULL;
  kmskit_instance_options_new(&o);
  kmskit_instance_options_set_message_type(o, "RAW");
  kmskit_response *sig = NULL, *ver = NULL, *pk = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_instance_sign(c, key, "RSA_PKCS1_SHA_256", (const uint8_t *)msg, strlen(msg), o, &sig, &err), err);
  kmskit_buffer *s = get(kmskit_response_signature, sig);
  char *mt = h_field(kmskit_response_message_type, sig);
  CHECK(kmskit_buffer_len(s) == 256);
  CHECK(mt && strcmp(mt, "RAW") == 0);
  CHECK_RC(0, kmskit_client_instance_verify(c, key, "RSA_PKCS1_SHA_256", (const uint8_t *)msg, strlen(msg),
                                            kmskit_buffer_data(s), kmskit_buffer_len(s), o, &ver, &err), err);
  bool valid = false;
  CHECK_RC(0, kmskit_response_value(ver, &valid), NULL);
  CHECK(valid);
  kmskit_response_free(ver);
  ver = NULL;
  /* A changed message does not verify (success, value false). */
  CHECK_RC(0, kmskit_client_instance_verify(c, key, "RSA_PKCS1_SHA_256", (const uint8_t *)"other", 5,
                                            kmskit_buffer_data(s), kmskit_buffer_len(s), NULL, &ver, &err), err);
  valid = true;
  CHECK_RC(0, kmskit_response_value(ver, &valid), NULL);
  CHECK(!valid);
  CHECK(kmskit_response_value(sig, &valid) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK_RC(0, kmskit_client_instance_get_public_key(c, key, &pk, &err), err);
  char *pem = h_field(kmskit_response_public_key, pk);
  CHECK(pem && strstr(pem, "-----BEGIN PUBLIC KEY-----") != NULL);
  kmskit_buffer_free(s);
  kmskit_response_free(sig); kmskit_response_free(ver); kmskit_response_free(pk);
  kmskit_instance_options_free(o);
  free(mt); free(pem); free(key);
  kmskit_client_free(c);
}

static void test_random_and_data_keys(void) {
  kmskit_client *c = dedicated_client(NULL);
  char *key = create_key(c, "Aliyun_AES_256", "ENCRYPT/DECRYPT");
  kmskit_response *r = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_instance_generate_random(c, 24, &r, &err), err);
  kmskit_buffer *rnd = get(kmskit_response_random, r);
  CHECK(kmskit_buffer_len(rnd) == 24);
  kmskit_buffer_free(rnd);
  kmskit_response_free(r);

  kmskit_instance_options *o = NULL;
  kmskit_instance_options_new(&o);
  kmskit_instance_options_set_number_of_bytes(o, 16);
  kmskit_response *dk = NULL, *adk = NULL;
  CHECK_RC(0, kmskit_client_instance_generate_data_key(c, key, o, &dk, &err), err);
  kmskit_buffer *p = get(kmskit_response_plaintext, dk), *blob = get(kmskit_response_ciphertext_blob, dk);
  kmskit_buffer *iv = get(kmskit_response_iv, dk);
  CHECK(kmskit_buffer_len(p) == 16 && kmskit_buffer_len(blob) > 16 && kmskit_buffer_len(iv) == 12);
  /* The data key decrypts back from its blob and IV. */
  kmskit_instance_options *d = NULL;
  kmskit_instance_options_new(&d);
  kmskit_instance_options_set_iv(d, kmskit_buffer_data(iv), kmskit_buffer_len(iv));
  kmskit_response *dec = NULL;
  CHECK_RC(0, kmskit_client_instance_decrypt(c, key, kmskit_buffer_data(blob), kmskit_buffer_len(blob), d, &dec, &err), err);
  kmskit_buffer *p2 = get(kmskit_response_plaintext, dec);
  CHECK(kmskit_buffer_len(p2) == 16 && p && memcmp(kmskit_buffer_data(p), kmskit_buffer_data(p2), 16) == 0);
  CHECK_RC(0, kmskit_client_instance_advance_generate_data_key(c, key, o, &adk, &err), err);
  char *av = h_field(kmskit_response_key_version_id, adk);
  CHECK(av && *av);
  /* algorithm is not an option of the advance form. */
  kmskit_instance_options_set_algorithm(o, "AES_GCM");
  kmskit_response *x = SENTINEL_RESP;
  CHECK(kmskit_client_instance_advance_generate_data_key(c, key, o, &x, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(x == SENTINEL_RESP);
  kmskit_buffer_free(p); kmskit_buffer_free(blob); kmskit_buffer_free(iv); kmskit_buffer_free(p2);
  kmskit_response_free(dk); kmskit_response_free(adk); kmskit_response_free(dec);
  kmskit_instance_options_free(o); kmskit_instance_options_free(d);
  free(av); free(key);
  kmskit_client_free(c);
}

static void test_data_key_pairs(void) {
  kmskit_client *c = dedicated_client(NULL);
  char *key = create_key(c, "Aliyun_AES_256", "ENCRYPT/DECRYPT");
  typedef kmskit_result (*pair_fn)(const kmskit_client *, const char *, const char *,
                                   const kmskit_instance_options *, kmskit_response **, kmskit_error **);
  struct { pair_fn f; int with_plaintext; int advance; } t[] = {
    {kmskit_client_instance_generate_data_key_pair, 1, 0},
    {kmskit_client_instance_advance_generate_data_key_pair, 1, 1},
    {kmskit_client_instance_generate_data_key_pair_without_plaintext, 0, 0},
    {kmskit_client_instance_advance_generate_data_key_pair_without_plaintext, 0, 1},
  };
  kmskit_instance_options *o = NULL;
  kmskit_instance_options_new(&o);
  kmskit_instance_options_set_key_format(o, "PEM");
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    kmskit_response *r = NULL;
    kmskit_error *err = NULL;
    CHECK_RC(0, t[i].f(c, key, "RSA_2048", o, &r, &err), err);
    kmskit_error_free(err);
    char *spec = h_field(kmskit_response_key_pair_spec, r);
    char *pub = h_field(kmskit_response_public_key, r);
    kmskit_buffer *priv_blob = get(kmskit_response_private_key_ciphertext_blob, r);
    CHECK(spec && strcmp(spec, "RSA_2048") == 0);
    CHECK(pub && strstr(pub, "PUBLIC KEY") != NULL);
    CHECK(kmskit_buffer_len(priv_blob) > 100);
    kmskit_buffer *priv = NULL;
    if (t[i].with_plaintext) {
      CHECK_RC(0, kmskit_response_private_key_plaintext(r, &priv), NULL);
      CHECK(priv && strstr((const char *)kmskit_buffer_data(priv), "PRIVATE KEY") != NULL);
    } else {
      CHECK(kmskit_response_private_key_plaintext(r, &priv) == KMSKIT_RESULT_INVALID_ARGUMENT);
    }
    if (t[i].advance) {
      char *v = h_field(kmskit_response_key_version_id, r);
      CHECK(v && *v);
      free(v);
    }
    kmskit_buffer_free(priv); kmskit_buffer_free(priv_blob);
    free(spec); free(pub);
    kmskit_response_free(r);
  }
  kmskit_instance_options_free(o);
  free(key);
  kmskit_client_free(c);
}

static void test_get_secret_value(void) {
  kmskit_client *c = dedicated_client(NULL);
  char name[64], params[256];
  snprintf(name, sizeof name, "ctest/instance-secret-%ld", (long)time(NULL));
  snprintf(params, sizeof params, "{\"SecretName\":\"%s\",\"SecretData\":\"inst-s3cr3t\",\"VersionId\":\"v1\"}", name);
  kmskit_buffer *o = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_call(c, "CreateSecret", params, &o, &err), err);
  kmskit_buffer_free(o);
  kmskit_instance_options *opts = NULL;
  kmskit_instance_options_new(&opts);
  kmskit_instance_options_set_version_stage(opts, "ACSCurrent");
  kmskit_instance_options_set_fetch_extended_config(opts, true);
  kmskit_response *r = NULL;
  CHECK_RC(0, kmskit_client_instance_get_secret_value(c, name, opts, &r, &err), err);
  char *data = h_field(kmskit_response_secret_data, r), *n = h_field(kmskit_response_secret_name, r);
  char *vid = h_field(kmskit_response_version_id, r);
  CHECK(data && strcmp(data, "inst-s3cr3t") == 0);
  CHECK(n && strcmp(n, name) == 0);
  CHECK(vid && strcmp(vid, "v1") == 0);
  CHECK(kmskit_response_version_stage_count(r) >= 1);
  kmskit_response_free(r);
  free(data); free(n); free(vid);
  /* By version id; an unknown secret is 3301. */
  kmskit_instance_options_free(opts);
  kmskit_instance_options_new(&opts);
  kmskit_instance_options_set_version_id(opts, "v1");
  r = NULL;
  CHECK_RC(0, kmskit_client_instance_get_secret_value(c, name, opts, &r, &err), err);
  kmskit_response_free(r);
  r = SENTINEL_RESP;
  CHECK_RC(KMSKIT_RESULT_RESOURCE_NOT_FOUND, kmskit_client_instance_get_secret_value(c, "ctest/none", NULL, &r, &err), err);
  CHECK(r == SENTINEL_RESP && err && kmskit_error_request_id(err) != NULL);
  kmskit_error_free(err);
  kmskit_instance_options_free(opts);
  kmskit_client_free(c);
}

/* Shared gateway (plain HTTP) for RAM calls, the dedicated one (HTTPS) for the Instance API:
 * with route auto, kmskit_client_encrypt goes to the Instance API (AdvanceEncrypt) while
 * kmskit_client_call stays on the shared gateway; a "shared" view sends encrypt there. */
static void test_routing(void) {
  kmskit_config_builder *b = h_builder(NULL);
  kmskit_config_builder_set_instance_endpoint(b, h_env("KMSKIT_TEST_DEDICATED_ENDPOINT"));
  kmskit_config_builder_set_ca_file(b, h_env("KMSKIT_TEST_CA_FILE"));
  kmskit_client_key *k = load_key();
  kmskit_config_builder_set_client_key(b, k);
  kmskit_client_key_free(k);
  kmskit_client *c = NULL, *shared = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, &err), err);
  kmskit_config_builder_free(b);
  CHECK_RC(0, kmskit_client_with_route(c, "shared", &shared, &err), err);
  char *key = h_create_key(c);
  long adv0 = h_count("AdvanceEncrypt"), enc0 = h_count("Encrypt");
  kmskit_response *r = NULL;
  CHECK_RC(0, kmskit_client_encrypt(c, key, (const uint8_t *)"routed", 6, NULL, &r, &err), err);
  kmskit_buffer *blob = get(kmskit_response_ciphertext_blob, r);
  kmskit_response_free(r);
  CHECK(h_count("AdvanceEncrypt") == adv0 + 1 && h_count("Encrypt") == enc0);
  /* Decrypt is routed too (AdvanceDecrypt) and reads the routed blob back. */
  long adec0 = h_count("AdvanceDecrypt");
  r = NULL;
  CHECK_RC(0, kmskit_client_decrypt(c, (const char *)kmskit_buffer_data(blob), NULL, &r, &err), err);
  kmskit_buffer *plain = get(kmskit_response_plaintext, r);
  CHECK(kmskit_buffer_len(plain) == 6 && memcmp(kmskit_buffer_data(plain), "routed", 6) == 0);
  CHECK(h_count("AdvanceDecrypt") == adec0 + 1);
  kmskit_buffer_free(plain);
  kmskit_response_free(r);
  r = NULL;
  CHECK_RC(0, kmskit_client_encrypt(shared, key, (const uint8_t *)"shared", 6, NULL, &r, &err), err);
  CHECK(h_count("Encrypt") == enc0 + 1 && h_count("AdvanceEncrypt") == adv0 + 1);
  kmskit_response_free(r);
  /* Bad routes. */
  kmskit_client *x = (kmskit_client *)0x1;
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_with_route(c, "sideways", &x, NULL), NULL);
  kmskit_client *plain_client = h_client(NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_with_route(plain_client, "dedicated", &x, NULL), NULL);
  CHECK(x == (kmskit_client *)0x1);
  /* No ClientKey: the Instance API is not available (1101). */
  kmskit_response *none = SENTINEL_RESP;
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_instance_generate_random(plain_client, 8, &none, &err), err);
  CHECK(none == SENTINEL_RESP);
  kmskit_error_free(err);
  kmskit_buffer_free(blob);
  free(key);
  kmskit_client_free(plain_client);
  kmskit_client_free(shared);
  kmskit_client_free(c);
}

static void test_builder_instance_options(void) {
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_region(b, "cn-hangzhou");
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_config_builder_set_route(b, "nowhere"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_route(b, "dedicated"), NULL);
  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  /* The dedicated route, or an instance endpoint, without a ClientKey: 1101. */
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, &err), err);
  kmskit_error_free(err);
  CHECK_RC(0, kmskit_config_builder_set_route(b, "auto"), NULL);
  CHECK_RC(0, kmskit_config_builder_set_instance_endpoint(b, "kst-ctest.cryptoservice.kms.aliyuncs.com"), NULL);
  CHECK_RC(KMSKIT_RESULT_INVALID_CONFIGURATION, kmskit_client_new(b, &c, NULL), NULL);
  CHECK(c == NULL);
  kmskit_config_builder_free(b);
}

/* Without the instance CA the TLS handshake fails: 2003, not retried. */
static void test_wrong_ca(void) {
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  kmskit_config_builder_set_endpoint(b, h_env("KMSKIT_TEST_DEDICATED_ENDPOINT"));
  kmskit_config_builder_set_access_key(b, h_env("KMSKIT_TEST_AK"), h_env("KMSKIT_TEST_SECRET"));
  /* A CA that did not sign the gateway's certificate. */
  kmskit_config_builder_set_ca_file(b, "/work/shared/testdata/clientkey/PrivateKmsCA_kst-test0000000000000000.pem");
  kmskit_client_key *k = load_key();
  kmskit_config_builder_set_client_key(b, k);
  kmskit_client_key_free(k);
  kmskit_client *c = NULL;
  kmskit_error *err = NULL;
  CHECK_RC(0, kmskit_client_new(b, &c, &err), err);
  kmskit_response *r = SENTINEL_RESP;
  CHECK_RC(KMSKIT_RESULT_TLS_FAILED, kmskit_client_instance_generate_random(c, 8, &r, &err), err);
  CHECK(r == SENTINEL_RESP && err && !kmskit_error_retryable(err));
  kmskit_error_free(err);
  kmskit_client_free(c);
  kmskit_config_builder_free(b);
}

static void test_null_arguments(void) {
  kmskit_client *c = dedicated_client(NULL);
  kmskit_response *r = SENTINEL_RESP;
  kmskit_client_key *k = SENTINEL_KEY;
  kmskit_instance_options *o = NULL;
  kmskit_instance_options_new(&o);
  const uint8_t m[] = "m";
  kmskit_result rs[] = {
    kmskit_client_instance_encrypt(NULL, "k", m, 1, NULL, &r, NULL),
    kmskit_client_instance_encrypt(c, NULL, m, 1, NULL, &r, NULL),
    kmskit_client_instance_encrypt(c, "k", NULL, 1, NULL, &r, NULL),
    kmskit_client_instance_encrypt(c, "k", m, 1, NULL, NULL, NULL),
    kmskit_client_instance_advance_encrypt(c, NULL, m, 1, NULL, &r, NULL),
    kmskit_client_instance_decrypt(c, NULL, m, 1, NULL, &r, NULL),
    kmskit_client_instance_decrypt(c, "k", NULL, 1, NULL, &r, NULL),
    kmskit_client_instance_advance_decrypt(NULL, m, 1, NULL, &r, NULL),
    kmskit_client_instance_advance_decrypt(c, NULL, 1, NULL, &r, NULL),
    kmskit_client_instance_sign(c, "k", NULL, m, 1, NULL, &r, NULL),
    kmskit_client_instance_verify(c, "k", "a", m, 1, NULL, 1, NULL, &r, NULL),
    kmskit_client_instance_generate_random(NULL, 1, &r, NULL),
    kmskit_client_instance_generate_random(c, 1, NULL, NULL),
    kmskit_client_instance_generate_data_key(c, NULL, NULL, &r, NULL),
    kmskit_client_instance_advance_generate_data_key(c, NULL, NULL, &r, NULL),
    kmskit_client_instance_generate_data_key_pair(c, "k", NULL, NULL, &r, NULL),
    kmskit_client_instance_advance_generate_data_key_pair(c, NULL, "RSA_2048", NULL, &r, NULL),
    kmskit_client_instance_generate_data_key_pair_without_plaintext(c, "k", NULL, NULL, &r, NULL),
    kmskit_client_instance_advance_generate_data_key_pair_without_plaintext(NULL, "k", "s", NULL, &r, NULL),
    kmskit_client_instance_get_public_key(c, NULL, &r, NULL),
    kmskit_client_instance_get_secret_value(c, NULL, NULL, &r, NULL),
    kmskit_client_with_route(NULL, "auto", NULL, NULL),
    kmskit_client_with_route(c, NULL, NULL, NULL),
    kmskit_instance_options_new(NULL),
    kmskit_instance_options_set_algorithm(NULL, "a"),
    kmskit_instance_options_set_algorithm(o, NULL),
    kmskit_instance_options_set_aad(o, NULL, 1),
    kmskit_instance_options_set_iv(NULL, m, 1),
    kmskit_instance_options_set_padding_mode(o, NULL),
    kmskit_instance_options_set_key_id(o, NULL),
    kmskit_instance_options_set_message_type(o, NULL),
    kmskit_instance_options_set_number_of_bytes(NULL, 1),
    kmskit_instance_options_set_key_format(o, NULL),
    kmskit_instance_options_set_version_stage(o, NULL),
    kmskit_instance_options_set_version_id(o, NULL),
    kmskit_instance_options_set_fetch_extended_config(NULL, true),
    kmskit_client_key_from_file(NULL, "p", NULL, NULL, &k, NULL),
    kmskit_client_key_from_file("f", "p", NULL, NULL, NULL, NULL),
    kmskit_client_key_from_json(NULL, "p", NULL, NULL, &k, NULL),
    kmskit_client_key_from_private_key_pem(NULL, "pem", &k, NULL),
    kmskit_client_key_from_private_key_pem("id", NULL, &k, NULL),
    kmskit_config_builder_set_client_key(NULL, NULL),
    kmskit_config_builder_set_instance_endpoint(NULL, "x"),
    kmskit_config_builder_set_route(NULL, "auto"),
  };
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
    if (rs[i] != KMSKIT_RESULT_INVALID_ARGUMENT) fprintf(stderr, "  case %zu -> %u\n", i, (unsigned)rs[i]);
    CHECK(rs[i] == KMSKIT_RESULT_INVALID_ARGUMENT);
  }
  CHECK(r == SENTINEL_RESP && k == SENTINEL_KEY);
  kmskit_config_builder *b = NULL;
  kmskit_config_builder_new(&b);
  CHECK(kmskit_config_builder_set_client_key(b, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(kmskit_config_builder_set_instance_endpoint(b, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(kmskit_config_builder_set_route(b, NULL) == KMSKIT_RESULT_INVALID_ARGUMENT);
  kmskit_config_builder_free(b);
  CHECK(kmskit_client_key_id(NULL) == NULL);
  bool v = true;
  CHECK(kmskit_response_value(NULL, &v) == KMSKIT_RESULT_INVALID_ARGUMENT && v);
  kmskit_result (*acc[])(const kmskit_response *, kmskit_buffer **) = {
    kmskit_response_iv, kmskit_response_algorithm, kmskit_response_padding_mode, kmskit_response_signature,
    kmskit_response_message_type, kmskit_response_random, kmskit_response_public_key,
    kmskit_response_key_pair_spec, kmskit_response_private_key_plaintext,
    kmskit_response_private_key_ciphertext_blob};
  kmskit_buffer *buf = NULL;
  for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++) CHECK(acc[i](NULL, &buf) == KMSKIT_RESULT_INVALID_ARGUMENT);
  CHECK(buf == NULL);
  kmskit_instance_options_free(o);
  kmskit_instance_options_free(NULL);
  kmskit_client_key_free(NULL);
  kmskit_client_free(c);
}

int main(void) {
  RUN(test_parity);
  RUN(test_client_key_loading);
  RUN(test_encrypt_decrypt);
  RUN(test_advance_encrypt_decrypt);
  RUN(test_sign_verify_public_key);
  RUN(test_random_and_data_keys);
  RUN(test_data_key_pairs);
  RUN(test_get_secret_value);
  RUN(test_routing);
  RUN(test_builder_instance_options);
  RUN(test_wrong_ca);
  RUN(test_null_arguments);
  return h_finish("test_instance");
}
