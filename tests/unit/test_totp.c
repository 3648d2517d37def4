/* SPDX-License-Identifier: Apache-2.0 */
/* TOTP (totp.c, liboath underneath) against RFC 6238's SHA-1 test vectors (Appendix B; the
 * 8-digit values there, of which a 6-digit code is the last six digits), the window, and the
 * base32 round trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iam/totp.h"

static const uint8_t rfc_seed[] = "12345678901234567890"; /* RFC 6238's SHA-1 key, 20 bytes */

static void test_rfc6238_vectors(void **state) {
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {
        {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
    };
    char out[IAM_TOTP_DIGITS + 1];
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_totp_load(&e), 0);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(iam_totp_code(rfc_seed, 20, iam_totp_counter(v[i].t), out), 0);
        assert_string_equal(out, v[i].code);
    }
}

static void test_match_window(void **state) {
    int64_t c = iam_totp_counter(1111111109), got = -1;

    (void)state;
    /* the code of counter c, looked for around c - 1, c, c + 1: found, at c */
    for (int d = -1; d <= 1; d++) {
        assert_int_equal(iam_totp_match(rfc_seed, 20, c + d, 1, "081804", &got), 0);
        assert_int_equal(got, c);
    }
    /* two steps away: not */
    assert_int_equal(iam_totp_match(rfc_seed, 20, c + 2, 1, "081804", &got), -ENOENT);
    assert_int_equal(iam_totp_match(rfc_seed, 20, c - 2, 1, "081804", &got), -ENOENT);
    /* not six digits */
    assert_int_equal(iam_totp_match(rfc_seed, 20, c, 1, "81804", &got), -EINVAL);
    assert_int_equal(iam_totp_match(rfc_seed, 20, c, 1, "08180x", &got), -EINVAL);
    assert_int_equal(iam_totp_match(rfc_seed, 20, c, 1, "0818040", &got), -EINVAL);
}

static void test_base32(void **state) {
    char b32[IAM_TOTP_SEED_B32_MAX];
    uint8_t back[32];
    size_t n = 0;

    (void)state;
    assert_int_equal(iam_totp_base32_encode(rfc_seed, 20, b32, sizeof(b32)), 0);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(iam_totp_base32_decode(b32, back, sizeof(back), &n), 0);
    assert_int_equal(n, 20);
    assert_memory_equal(back, rfc_seed, 20);
    assert_int_equal(iam_totp_base32_encode(rfc_seed, 20, b32, 10), -ERANGE);
    assert_int_equal(iam_totp_base32_decode("not base32!", back, sizeof(back), &n), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_match_window),
        cmocka_unit_test(test_base32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
