/* SPDX-License-Identifier: Apache-2.0 */
/* The request context: typed values parsed once, keys case-insensitive, replace on re-add,
 * bad values refused with a message. */
#include "policy_test_util.h"
#include "policy/policy_private.h"

static void typed_values(void **state) {
    struct iam_context *ctx = NULL;
    const struct ctx_entry *e;
    struct iam_error err;
    const char *ips[] = {"10.0.0.1", "2001:db8::1"};
    const char *bad[] = {"10.0.0.300"};
    const char *two[] = {"a", "b"};
    (void)state;

    assert_int_equal(iam_context_new(&ctx), 0);
    iam_error_init(&err);
    assert_int_equal(iam_context_add(ctx, "aws:SourceIpList", IAM_VALUE_IP, true, ips, 2, &err), 0);
    e = iam_context_lookup(ctx, "aws:sourceiplist", 16, iam_key_hash("aws:sourceiplist", 16));
    assert_non_null(e);
    assert_int_equal(e->n, 2);
    assert_true(e->is_list);
    assert_true(e->values[1].parsed & CTXV_IP);
    assert_int_equal(e->values[1].ip.family, 6);
    /* The declared type must parse. */
    assert_int_equal(iam_context_add(ctx, "aws:SourceIp", IAM_VALUE_IP, false, bad, 1, &err),
                     -EINVAL);
    assert_non_null(strstr(err.text, "not a valid ip value"));
    /* A single-valued type takes exactly one value. */
    iam_error_init(&err);
    assert_int_equal(iam_context_add(ctx, "s:k", IAM_VALUE_STRING, false, two, 2, &err), -EINVAL);
    assert_non_null(strstr(err.text, "exactly one value"));
    iam_error_init(&err);
    assert_int_equal(iam_context_add(ctx, "", IAM_VALUE_STRING, false, two, 1, &err), -EINVAL);
    /* Replace on re-add, whatever the case of the key. */
    assert_int_equal(iam_context_add_string(ctx, "aws:UserName", "a"), 0);
    assert_int_equal(iam_context_add_string(ctx, "AWS:username", "b"), 0);
    assert_int_equal(ctx->n, 2);
    e = iam_context_lookup(ctx, "aws:username", 12, iam_key_hash("aws:username", 12));
    assert_non_null(e);
    assert_string_equal(e->values[0].s, "b");
    iam_context_remove(ctx, "Aws:UserName");
    assert_null(iam_context_lookup(ctx, "aws:username", 12, iam_key_hash("aws:username", 12)));
    assert_int_equal(ctx->n, 1);
    iam_context_remove(ctx, "not:there");
    /* A string value that also reads as a number or date carries those forms too. */
    assert_int_equal(iam_context_add_string(ctx, "s:n", "1577836800"), 0);
    e = iam_context_lookup(ctx, "s:n", 3, iam_key_hash("s:n", 3));
    assert_true(e->values[0].parsed & CTXV_NUM);
    assert_true(e->values[0].parsed & CTXV_TIME);
    assert_false(e->values[0].parsed & CTXV_IP);
    iam_context_free(ctx);
    iam_context_free(NULL);
}

static void many_keys(void **state) {
    struct iam_context *ctx = NULL;
    char key[32];
    (void)state;

    assert_int_equal(iam_context_new(&ctx), 0);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "s:Key%d", i);
        assert_int_equal(iam_context_add_string(ctx, key, key), 0);
    }
    for (int i = 0; i < 100; i++) {
        const struct ctx_entry *e;

        snprintf(key, sizeof(key), "s:key%d", i);
        e = iam_context_lookup(ctx, key, strlen(key), iam_key_hash(key, strlen(key)));
        assert_non_null(e);
        assert_true(strcasecmp(e->values[0].s, key) == 0);
    }
    iam_context_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typed_values),
        cmocka_unit_test(many_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
