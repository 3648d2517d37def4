/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iam/secret.h"

/* ---- What the code under test hands to libsodium and to free() --------------------------
 * Linked with -Wl,--wrap= for these three (tests/db.cmake): secret.c is part of the static
 * core linked into this program, so its calls come here first. */

int __real_crypto_generichash_blake2b_salt_personal(unsigned char *out, size_t outlen,
                                                    const unsigned char *in,
                                                    unsigned long long inlen,
                                                    const unsigned char *key, size_t keylen,
                                                    const unsigned char *salt,
                                                    const unsigned char *personal);
int __wrap_crypto_generichash_blake2b_salt_personal(unsigned char *out, size_t outlen,
                                                    const unsigned char *in,
                                                    unsigned long long inlen,
                                                    const unsigned char *key, size_t keylen,
                                                    const unsigned char *salt,
                                                    const unsigned char *personal);
int __real_crypto_pwhash_str_verify(const char *str, const char *passwd,
                                    unsigned long long passwdlen);
int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd,
                                    unsigned long long passwdlen);
void __real_free(void *p);
void __wrap_free(void *p);

/* One record per call, since the last calls_reset(). */
static struct {
    unsigned blake2b, pwhash;
    unsigned long long blake2b_inlen, pwhash_len;
    size_t blake2b_outlen;
    char pwhash_params[64]; /* "$argon2id$v=19$m=65536,t=2,p=1$" of the hash verified against */
} calls;

static void calls_reset(void) {
    memset(&calls, 0, sizeof(calls));
}

/* The hash string up to and including the '$' that ends its cost parameters. */
static void params_of(const char *hash, char *out, size_t size) {
    const char *p = hash;

    for (int dollars = 0; *p && dollars < 4; p++)
        dollars += *p == '$';
    snprintf(out, size, "%.*s", (int)(p - hash), hash);
}

int __wrap_crypto_generichash_blake2b_salt_personal(unsigned char *out, size_t outlen,
                                                    const unsigned char *in,
                                                    unsigned long long inlen,
                                                    const unsigned char *key, size_t keylen,
                                                    const unsigned char *salt,
                                                    const unsigned char *personal) {
    calls.blake2b++;
    calls.blake2b_inlen = inlen;
    calls.blake2b_outlen = outlen;
    return __real_crypto_generichash_blake2b_salt_personal(out, outlen, in, inlen, key, keylen,
                                                           salt, personal);
}

int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd,
                                    unsigned long long passwdlen) {
    calls.pwhash++;
    calls.pwhash_len = passwdlen;
    params_of(str, calls.pwhash_params, sizeof(calls.pwhash_params));
    return __real_crypto_pwhash_str_verify(str, passwd, passwdlen);
}

/* free() of the one pointer being watched: a copy of its first watch_len bytes as they were
 * when it was handed back. */
static const void *watch_ptr;
static size_t watch_len;
static unsigned char watch_seen[64];
static int watch_freed;

void __wrap_free(void *p) {
    if (p && p == watch_ptr) {
        memcpy(watch_seen, p, watch_len);
        watch_freed++;
    }
    __real_free(p);
}

static int setup(void **state) {
    (void)state;
    return iam_secret_init();
}

static void test_generate(void **state) {
    char id[IAM_ACCESS_KEY_ID_LEN + 1], id2[IAM_ACCESS_KEY_ID_LEN + 1];
    char sec[IAM_SECRET_KEY_LEN + 1], sec2[IAM_SECRET_KEY_LEN + 1];

    (void)state;
    assert_int_equal(iam_access_key_generate(id, sec), 0);
    assert_int_equal(iam_access_key_generate(id2, sec2), 0);
    assert_int_equal(strlen(id), 20);
    assert_int_equal(strlen(sec), 40);
    assert_true(iam_access_key_id_valid(id));
    assert_true(iam_secret_key_valid(sec, strlen(sec)));
    assert_memory_not_equal(id, id2, 20);
    assert_memory_not_equal(sec, sec2, 40);
    assert_false(iam_access_key_id_valid("AKIA0000000000000000")); /* 0 and 1 not in A-Z2-7 */
    assert_false(iam_access_key_id_valid("ASIAAAAAAAAAAAAAAAAA"));
    assert_false(iam_access_key_id_valid("AKIAAAAAAAAAAAAAAAA"));
    assert_false(iam_access_key_id_valid("AKIAAAAAAAAAAAAAAAAAA"));
    assert_true(iam_access_key_id_valid("AKIAAAAAAAAAAAAAAAA7"));
    assert_false(iam_secret_key_valid(sec, 39));
    sec[3] = '-';
    assert_false(iam_secret_key_valid(sec, 40));
}

static void test_key_hash(void **state) {
    char id[IAM_ACCESS_KEY_ID_LEN + 1], sec[IAM_SECRET_KEY_LEN + 1];
    char h[IAM_SECRET_HASH_MAX], h2[IAM_SECRET_HASH_MAX];

    (void)state;
    assert_int_equal(iam_access_key_generate(id, sec), 0);
    assert_int_equal(iam_secret_hash_key(sec, 40, h, sizeof(h)), 0);
    assert_int_equal(strncmp(h, "$iamb2k$v=1$", 12), 0);
    assert_null(strstr(h, sec));
    assert_int_equal(iam_secret_verify(h, sec, 40), 1);
    /* salted: the same secret hashes differently */
    assert_int_equal(iam_secret_hash_key(sec, 40, h2, sizeof(h2)), 0);
    assert_string_not_equal(h, h2);
    assert_int_equal(iam_secret_verify(h2, sec, 40), 1);
    /* one character off, one shorter */
    sec[0] ^= 1;
    assert_int_equal(iam_secret_verify(h, sec, 40), 0);
    sec[0] ^= 1;
    assert_int_equal(iam_secret_verify(h, sec, 39), 0);
    /* tampered hash strings */
    h[strlen(h) - 2] = h[strlen(h) - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(iam_secret_verify(h, sec, 40), 0);
    assert_int_equal(iam_secret_verify("$iamb2k$v=1$short$x", sec, 40), -EINVAL);
    assert_int_equal(iam_secret_verify("$iamb2k$v=2$AAAA$AAAA", sec, 40), -ENOTSUP);
    assert_int_equal(iam_secret_verify("$6$salt$crypt", sec, 40), -ENOTSUP);
    assert_int_equal(iam_secret_verify("plaintext", sec, 40), -EINVAL);
    assert_int_equal(iam_secret_verify("", sec, 40), -EINVAL);
    /* too small an output buffer */
    assert_int_equal(iam_secret_hash_key(sec, 40, h, 20), -ERANGE);
}

/* A check against the dummy key hash does the work of a check against a real one: the same
 * BLAKE2b call over the same input, whatever the input. */
static void test_dummy_key_equal_work(void **state) {
    char id[IAM_ACCESS_KEY_ID_LEN + 1], sec[IAM_SECRET_KEY_LEN + 1];
    char h[IAM_SECRET_HASH_MAX];
    static const size_t lens[] = {40, 39, 1, 0, 200};
    char other[201];
    (void)state;

    assert_int_equal(iam_access_key_generate(id, sec), 0);
    assert_int_equal(iam_secret_hash_key(sec, 40, h, sizeof(h)), 0);
    memset(other, 'k', sizeof(other) - 1);
    other[sizeof(other) - 1] = '\0';
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        const char *in = lens[i] <= 40 ? sec : other;
        unsigned real_calls;
        unsigned long long real_inlen;
        size_t real_outlen;

        calls_reset();
        assert_in_range(iam_secret_verify(h, in, lens[i]), 0, 1);
        real_calls = calls.blake2b;
        real_inlen = calls.blake2b_inlen;
        real_outlen = calls.blake2b_outlen;
        assert_int_equal(real_calls, 1);
        assert_int_equal(real_inlen, lens[i]);

        calls_reset();
        iam_secret_verify_dummy_key(in, lens[i]);
        assert_int_equal(calls.blake2b, real_calls);
        assert_int_equal(calls.blake2b_inlen, real_inlen);
        assert_int_equal(calls.blake2b_outlen, real_outlen);
        assert_int_equal(calls.pwhash, 0);
    }
    /* No secret at all still costs one check. */
    calls_reset();
    iam_secret_verify_dummy_key(NULL, 40);
    assert_int_equal(calls.blake2b, 1);
}

static void test_password_hash(void **state) {
    char h[IAM_SECRET_HASH_MAX];
    char *big;

    (void)state;
    assert_int_equal(iam_secret_hash_password("correct horse", 13, h, sizeof(h)), 0);
    assert_int_equal(strncmp(h, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
    assert_int_equal(iam_secret_verify(h, "correct horse", 13), 1);
    assert_int_equal(iam_secret_verify(h, "correct horsE", 13), 0);
    assert_int_equal(iam_secret_verify(h, "correct hors", 12), 0);
    /* absurd cost parameters are refused before any work */
    assert_int_equal(iam_secret_verify("$argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
                                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                       "x", 1),
                     -EINVAL);
    assert_int_equal(iam_secret_verify("$argon2i$v=19$m=65536,t=2,p=1$AAAA$AAAA", "x", 1),
                     -ENOTSUP);
    /* cost parameters that sscanf("%lu") would have taken: overflow, sign, leading zeros,
     * another version */
    {
        static const char *const bad[] = {
            "$argon2id$v=19$m=18446744073709551617,t=2,p=1$AAAA$AAAA",
            "$argon2id$v=19$m=-1,t=2,p=1$AAAA$AAAA",
            "$argon2id$v=19$m= 65536,t=2,p=1$AAAA$AAAA",
            "$argon2id$v=19$m=065536,t=2,p=1$AAAA$AAAA",
            "$argon2id$v=19$m=65536,t=+2,p=1$AAAA$AAAA",
            "$argon2id$v=16$m=65536,t=2,p=1$AAAA$AAAA",
            "$argon2id$v=19$m=65536,t=2$AAAA$AAAA",
            "$argon2id$v=19$m=65536,t=2,p=1",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            assert_int_equal(iam_secret_verify(bad[i], "x", 1), -EINVAL);
    }
    big = malloc(IAM_PASSWORD_MAX + 2);
    memset(big, 'a', IAM_PASSWORD_MAX + 1);
    big[IAM_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(iam_secret_hash_password(big, IAM_PASSWORD_MAX + 1, h, sizeof(h)), -E2BIG);
    assert_int_equal(iam_secret_hash_password(big, IAM_PASSWORD_MAX, h, sizeof(h)), 0);
    assert_int_equal(iam_secret_verify(h, big, IAM_PASSWORD_MAX), 1);
    assert_int_equal(iam_secret_verify(h, big, IAM_PASSWORD_MAX + 1), 0);
    /* Over the limit: refused, at the cost of a check of IAM_PASSWORD_MAX bytes. */
    calls_reset();
    assert_int_equal(iam_secret_verify(h, big, IAM_PASSWORD_MAX + 1), 0);
    assert_int_equal(calls.pwhash, 1);
    assert_int_equal(calls.pwhash_len, IAM_PASSWORD_MAX);
    free(big);
}

/* A check against the dummy password hash is one argon2id verification with the cost
 * parameters real hashes are made with, over the password given (capped as real checks are). */
static void test_dummy_password_equal_work(void **state) {
    char h[IAM_SECRET_HASH_MAX], real_params[64];
    char *big;
    (void)state;

    assert_int_equal(iam_secret_hash_password("pw", 2, h, sizeof(h)), 0);
    params_of(h, real_params, sizeof(real_params));
    calls_reset();
    assert_int_equal(iam_secret_verify(h, "wrong", 5), 0);
    assert_int_equal(calls.pwhash, 1);
    assert_string_equal(calls.pwhash_params, real_params);
    assert_int_equal(calls.pwhash_len, 5);

    calls_reset();
    iam_secret_verify_dummy_password("wrong", 5);
    assert_int_equal(calls.pwhash, 1);
    assert_string_equal(calls.pwhash_params, real_params);
    assert_int_equal(calls.pwhash_len, 5);
    assert_int_equal(calls.blake2b, 0);

    big = malloc(IAM_PASSWORD_MAX + 10);
    assert_non_null(big);
    memset(big, 'p', IAM_PASSWORD_MAX + 10);
    calls_reset();
    iam_secret_verify_dummy_password(big, IAM_PASSWORD_MAX + 10);
    assert_int_equal(calls.pwhash, 1);
    assert_int_equal(calls.pwhash_len, IAM_PASSWORD_MAX);
    free(big);

    calls_reset();
    iam_secret_verify_dummy_password(NULL, 0);
    assert_int_equal(calls.pwhash, 1);
    assert_string_equal(calls.pwhash_params, real_params);
}

/* iam_secret_free() wipes the bytes it was told about before it frees them. */
static void test_secret_free(void **state) {
    char *p = malloc(32);
    (void)state;

    assert_non_null(p);
    memset(p, 'S', 32);
    watch_ptr = p;
    watch_len = 32;
    watch_freed = 0;
    iam_secret_free(p, 24);
    watch_ptr = NULL;
    assert_int_equal(watch_freed, 1);
    for (size_t i = 0; i < 24; i++)
        if (watch_seen[i] != 0)
            fail_msg("byte %zu was 0x%02x when freed, not wiped", i, watch_seen[i]);
    /* NULL is accepted and frees nothing. */
    iam_secret_free(NULL, 16);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_key_hash),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_dummy_key_equal_work),
        cmocka_unit_test(test_dummy_password_equal_work),
        cmocka_unit_test(test_secret_free),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
