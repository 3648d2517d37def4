/* SPDX-License-Identifier: Apache-2.0 */
/* Wildcard patterns (common/policy/pattern.c) and ARNs: '*' and '?', ARN segments matched one
 * by one with the resource part taking the rest, variables resolved inline and substituted
 * literally; arn.h parsing. */
#include "policy_test_util.h"
#include "policy/policy_private.h"

#include "iam/arn.h"

static void plain_wildcards(void **state) {
    (void)state;
    assert_true(iam_wildcard_match("*", "", false));
    assert_true(iam_wildcard_match("*", "anything", false));
    assert_true(iam_wildcard_match("a*c", "abbbc", false));
    assert_true(iam_wildcard_match("a*c", "ac", false));
    assert_false(iam_wildcard_match("a*c", "acb", false));
    assert_true(iam_wildcard_match("a?c", "abc", false));
    assert_false(iam_wildcard_match("a?c", "ac", false));
    assert_true(iam_wildcard_match("*a*b*", "xxaxxbxx", false));
    assert_false(iam_wildcard_match("*a*b*", "xxbxxaxx", false));
    assert_true(iam_wildcard_match("S3:Get*", "s3:getobject", true));
    assert_false(iam_wildcard_match("S3:Get*", "s3:getobject", false));
    assert_true(iam_wildcard_match("a**b", "ab", false));
    assert_true(iam_wildcard_match("*?", "x", false));
    assert_false(iam_wildcard_match("*?", "", false));
}

static bool arn_match(const char *pattern, const char *subject, const struct iam_context *ctx) {
    struct iam_arena a = {0};
    struct arn_pattern ap;
    size_t errpos;
    const char *errmsg;
    struct eval_env env = {.ctx = ctx};
    bool m;

    assert_int_equal(iam_arn_pattern_compile(&a, pattern, strlen(pattern),
                                             PATF_WILDCARDS | PATF_VARIABLES, &ap, &errpos,
                                             &errmsg),
                     0);
    m = iam_arn_pattern_match(&ap, subject, strlen(subject), &env);
    iam_arena_free(&a);
    return m;
}

static void arn_segments(void **state) {
    struct iam_context *ctx = ctx_make(CTX("aws:username|s|a:b", "s:list|sL|x"));
    (void)state;

    assert_true(arn_match("*", "arn:aws:s3:::b", NULL));
    assert_true(arn_match("*", "not-an-arn", NULL));
    assert_true(arn_match("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y:z", NULL));
    assert_false(arn_match("arn:aws:s3:::b/*", "arn:aws:s3:::c/x", NULL));
    assert_true(arn_match("arn:*:s3:*:*:b", "arn:aws-cn:s3:r:1:b", NULL));
    assert_false(arn_match("arn:*:s3:::b", "arn:a:b:s3:::b", NULL)); /* '*' stays in its segment */
    assert_true(arn_match("arn:aws:*", "arn:aws:s3:::b", NULL));    /* last segment takes the rest */
    assert_true(arn_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123:instance/i-1",
                          NULL));
    assert_false(arn_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:instance/i-1",
                           NULL));
    assert_false(arn_match("arn:aws:s3:::b", "arn:aws:s3:::B", NULL));
    assert_true(arn_match("arn:aws:s3:::b?", "arn:aws:s3:::bc", NULL));
    /* '?' in the resource part may match ':' */
    assert_true(arn_match("arn:aws:s3:::b?", "arn:aws:s3:::b:", NULL));
    /* A variable holding ':' does not split segments: the split is on the pattern. */
    assert_true(arn_match("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/a:b", ctx));
    assert_false(arn_match("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/a", ctx));
    /* Multivalued keys cannot be substituted. */
    assert_false(arn_match("arn:aws:s3:::${s:list}", "arn:aws:s3:::x", ctx));
    assert_true(arn_match("arn:aws:s3:::${s:nokey,'d'}", "arn:aws:s3:::d", ctx));
    assert_true(arn_match("arn:aws:s3:::${ s:nokey , 'd}' }", "arn:aws:s3:::d}", ctx));
    iam_context_free(ctx);
}

static void pattern_errors(void **state) {
    struct iam_arena a = {0};
    struct pattern p;
    size_t errpos;
    const char *errmsg;
    char big[600];
    (void)state;

    assert_int_equal(iam_pattern_compile(&a, "x${a", 4, PATF_VARIABLES, &p, &errpos, &errmsg),
                     -EINVAL);
    assert_int_equal(errpos, 1);
    assert_non_null(strstr(errmsg, "unterminated"));
    assert_int_equal(iam_pattern_compile(&a, "${}", 3, PATF_VARIABLES, &p, &errpos, &errmsg),
                     -EINVAL);
    assert_int_equal(iam_pattern_compile(&a, "${a,'x}", 7, PATF_VARIABLES, &p, &errpos, &errmsg),
                     -EINVAL);
    assert_int_equal(iam_pattern_compile(&a, "${a,'x'y}", 9, PATF_VARIABLES, &p, &errpos, &errmsg),
                     -EINVAL);
    assert_int_equal(iam_pattern_compile(&a, "${a b}", 6, PATF_VARIABLES, &p, &errpos, &errmsg),
                     -EINVAL);
    /* Without PATF_VARIABLES "${" is text. */
    assert_int_equal(iam_pattern_compile(&a, "${a", 3, 0, &p, &errpos, &errmsg), 0);
    assert_int_equal(p.n, 1);
    /* Too many tokens is a clear error, not a crash. */
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (i % 2) ? '*' : 'a';
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(
        iam_pattern_compile(&a, big, strlen(big), PATF_WILDCARDS, &p, &errpos, &errmsg), -E2BIG);
    iam_arena_free(&a);
}

/* The compiled matcher (segments, anchored head and tail, leftmost middle) agrees with the
 * plain backtracking matcher on every pattern over a small alphabet, with and without case
 * folding and with a variable in the pattern. */
static void differential(void **state) {
    struct iam_context *ctx = ctx_make(CTX("s:v|s|Ab"));
    struct eval_env env = {.ctx = ctx};
    uint32_t seed = 12345;
    unsigned checked = 0;
    (void)state;

    for (int iter = 0; iter < 200000; iter++) {
        char pat[16], sub[16], ref[16], withvar[32];
        size_t pl, sl, k = 0;
        struct iam_arena a = {0};
        struct pattern cp;
        size_t errpos;
        const char *errmsg;
        bool ci = iter & 1;

        seed = seed * 1103515245u + 12345u;
        pl = (seed >> 16) % 8;
        for (size_t i = 0; i < pl; i++) {
            seed = seed * 1103515245u + 12345u;
            pat[i] = "abAB*?"[(seed >> 16) % 6];
        }
        pat[pl] = '\0';
        seed = seed * 1103515245u + 12345u;
        sl = (seed >> 16) % 9;
        for (size_t i = 0; i < sl; i++) {
            seed = seed * 1103515245u + 12345u;
            sub[i] = "abAB"[(seed >> 16) % 4];
        }
        sub[sl] = '\0';
        /* Plain pattern. */
        assert_int_equal(iam_pattern_compile(&a, pat, pl, PATF_WILDCARDS | (ci ? PATF_FOLD : 0),
                                             &cp, &errpos, &errmsg),
                         0);
        if (iam_pattern_match(&cp, sub, sl, ci, NULL) != iam_wildcard_match(pat, sub, ci))
            fail_msg("pattern '%s' subject '%s' ci=%d: compiled and reference disagree", pat, sub,
                     ci);
        /* Same pattern with "${s:v}" (value "Ab") spliced in at the middle. */
        k = (size_t)snprintf(withvar, sizeof(withvar), "%.*s${s:v}%s", (int)(pl / 2), pat,
                             pat + pl / 2);
        snprintf(ref, sizeof(ref), "%.*sAb%s", (int)(pl / 2), pat, pat + pl / 2);
        assert_int_equal(iam_pattern_compile(&a, withvar, k,
                                             PATF_WILDCARDS | PATF_VARIABLES | (ci ? PATF_FOLD : 0),
                                             &cp, &errpos, &errmsg),
                         0);
        if (iam_pattern_match(&cp, sub, sl, ci, &env) != iam_wildcard_match(ref, sub, ci))
            fail_msg("pattern '%s' subject '%s' ci=%d: compiled and reference disagree", withvar,
                     sub, ci);
        iam_arena_free(&a);
        checked++;
    }
    assert_int_equal(checked, 200000);
    iam_context_free(ctx);
}

static void arn_parse(void **state) {
    struct iam_arn arn;
    (void)state;

    assert_int_equal(iam_arn_parse("arn:aws:iam::123456789012:user/a:b", &arn), 0);
    assert_int_equal(arn.partition.len, 3);
    assert_int_equal(arn.region.len, 0);
    assert_int_equal(arn.account.len, 12);
    assert_int_equal(arn.resource.len, 8);
    assert_memory_equal(arn.resource.p, "user/a:b", 8);
    assert_int_equal(iam_arn_parse("arn:aws:s3:::", &arn), -EINVAL);
    assert_int_equal(iam_arn_parse("arn::s3:::b", &arn), -EINVAL);
    assert_int_equal(iam_arn_parse("arn:aws::::b", &arn), -EINVAL);
    assert_int_equal(iam_arn_parse("arn:aws:s3::b", &arn), -EINVAL);
    assert_int_equal(iam_arn_parse("urn:aws:s3:::b", &arn), -EINVAL);
    assert_true(iam_account_id_valid("123456789012"));
    assert_false(iam_account_id_valid("12345678901"));
    assert_false(iam_account_id_valid("12345678901a"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_wildcards),
        cmocka_unit_test(arn_segments),
        cmocka_unit_test(pattern_errors),
        cmocka_unit_test(differential),
        cmocka_unit_test(arn_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
