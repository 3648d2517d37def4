/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a bundle's manifest, what a host reads from an untrusted origin first.
 * Two ways in, chosen by the first byte: the bytes as manifest.json (the envelope, base64,
 * the signature check: nothing may be accepted, since the fuzzer holds no key), and the bytes
 * as the signed manifest itself, signed here with a fixed key, so the parser behind the
 * signature sees arbitrary input too. An accepted manifest must hold what the header
 * promises (safe file names, Expires after Created). Crashes, sanitizer reports and leaks are
 * findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iam/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_bundle_manifest: invariant broken: %s\n", what);
        abort();
    }
}

/* the envelope around body, signed with sk as publish does */
static char *envelope(const uint8_t *body, size_t len, const uint8_t sk[64], size_t *ret_len) {
    size_t ctx = strlen(IAM_BUNDLE_SIG_CONTEXT);
    uint8_t sig[crypto_sign_BYTES];
    unsigned char *msg = malloc(ctx + len + 1);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len), sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
                                                                sodium_base64_VARIANT_ORIGINAL)];
    char *out = NULL;
    int n;

    if (!msg || !b64)
        abort();
    memcpy(msg, IAM_BUNDLE_SIG_CONTEXT, ctx);
    memcpy(msg + ctx, body, len);
    crypto_sign_detached(sig, NULL, msg, ctx + len, sk);
    sodium_bin2base64(b64, b64len, body, len, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
    n = asprintf(&out, "{\"Format\":\"" IAM_BUNDLE_FORMAT "\",\"Manifest\":\"%s\",\"Signature\":\"%s\"}",
                 b64, sig64);
    free(msg);
    free(b64);
    if (n < 0)
        abort();
    *ret_len = (size_t)n;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t pk[32], sk[64];
    static int ready;
    struct iam_bundle_manifest m;
    struct iam_error e;
    int r;

    if (!ready) {
        uint8_t seed[32] = {7};
        if (sodium_init() < 0)
            abort();
        crypto_sign_seed_keypair(pk, sk, seed);
        ready = 1;
    }
    if (size < 1)
        return 0;
    iam_error_init(&e);
    if (data[0] & 1) {
        r = iam_bundle_manifest_open(data + 1, size - 1, pk, &m, &e);
        check(r < 0, "an unsigned manifest.json was accepted");
    } else {
        size_t len = 0;
        char *env = envelope(data + 1, size - 1, sk, &len);
        r = iam_bundle_manifest_open(env, len, pk, &m, &e);
        free(env);
        if (r == 0) {
            check(m.expires > m.created, "Expires after Created");
            for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
                check(strchr(m.files[i].path, '/') == NULL && m.files[i].path[0] != '.',
                      "a file name that stays in the directory");
            check(strlen(m.account_id) == 12, "a 12-digit account");
        }
    }
    check(r == 0 || e.text[0] != '\0', "an error has a text");
    return 0;
}
