/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iam/secret.h"

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
    iam_secret_verify_dummy_key(sec, 40);
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
    free(big);
    iam_secret_verify_dummy_password("x", 1);
}

static void test_secret_free(void **state) {
    char *p = malloc(16);

    (void)state;
    memset(p, 'S', 16);
    iam_secret_free(p, 16);
    iam_secret_free(NULL, 16);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_key_hash),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_secret_free),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
