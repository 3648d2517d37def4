/* SPDX-License-Identifier: Apache-2.0 */
/* iamctl_policy_check(): the gate every policy write goes through. Refuses on ERROR, shows
 * every finding on stderr in iamctl's "SOURCE:LINE:COL:" form, warns but accepts otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "iamctl.h"
#include "iamtest.h"

/* Run the check with stderr captured into a string. */
static int check(const char *policy, enum iam_policy_type type, unsigned flags, char **ret_err) {
    char *dir = iamtest_mkdtemp(), path[4096];
    FILE *saved;
    int fd, saved_fd, r;

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/stderr", dir);
    fflush(stderr);
    saved_fd = dup(STDERR_FILENO);
    assert_true(saved_fd >= 0);
    saved = freopen(path, "w", stderr);
    assert_non_null(saved);
    r = iamctl_policy_check(policy, strlen(policy), type, "p.json", flags);
    fflush(stderr);
    fd = dup2(saved_fd, STDERR_FILENO);
    assert_true(fd >= 0);
    close(saved_fd);
    *ret_err = iamtest_read_file(path, NULL);
    assert_non_null(*ret_err);
    iamtest_rmtree(dir);
    free(dir);
    return r;
}

static void test_refuses_errors(void **state) {
    const char *p = "{\"Version\": \"2012-10-17\",\n \"Statement\": {\"Effect\": \"Allow\", "
                    "\"Action\": [\"host:Login\", \"host:Logon\"], \"Resource\": \"*\", "
                    "\"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"ops*\"}}}}";
    char *err = NULL;

    (void)state;
    assert_int_equal(check(p, IAM_POLICY_IDENTITY, 0, &err), IAMCTL_EXIT_FAIL);
    /* the error, with 1-based column and the path; the warning too; then the verdict */
    if (!strstr(err, "iamctl: p.json:2:60: ERROR HOST_UNKNOWN_ACTION: ") ||
        !strstr(err, "(Statement.Action[1])") || !strstr(err, "iamctl: warning: p.json:2:") ||
        !strstr(err, "WARNING WILDCARD_WITHOUT_LIKE_OPERATOR") ||
        !strstr(err, "p.json: policy refused: 1 ERROR finding "))
        fail_msg("unexpected stderr:\n%s", err);
    /* errors come first */
    assert_true(strstr(err, "ERROR HOST_UNKNOWN_ACTION") < strstr(err, "WILDCARD_WITHOUT"));
    free(err);
}

static void test_accepts_with_warnings(void **state) {
    const char *p = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"host:*\", "
                    "\"Resource\": \"*\"}}";
    char *err = NULL;

    (void)state;
    assert_int_equal(check(p, IAM_POLICY_IDENTITY, 0, &err), 0);
    if (!strstr(err, "warning: p.json:1:1: WARNING MISSING_VERSION") ||
        !strstr(err, "SECURITY_WARNING HOST_SUDO_VIA_WILDCARD") || strstr(err, "refused"))
        fail_msg("unexpected stderr:\n%s", err);
    free(err);
    /* quiet: accepted, nothing said */
    assert_int_equal(check(p, IAM_POLICY_IDENTITY, IAMCTL_POLICY_CHECK_QUIET, &err), 0);
    assert_string_equal(err, "");
    free(err);
}

static void test_clean_and_types(void **state) {
    const char *p = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", "
                    "\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/alice\"}, "
                    "\"Action\": \"host:Login\", \"Resource\": \"*\"}}";
    char *err = NULL;

    (void)state;
    assert_int_equal(check(p, IAM_POLICY_RESOURCE, 0, &err), 0);
    assert_string_equal(err, "");
    free(err);
    /* the same document is not an identity policy */
    assert_int_equal(check(p, IAM_POLICY_IDENTITY, IAMCTL_POLICY_CHECK_QUIET, &err),
                     IAMCTL_EXIT_FAIL);
    assert_non_null(strstr(err, "ERROR UNSUPPORTED_PRINCIPAL"));
    free(err);
    /* not JSON at all */
    assert_int_equal(check("{", IAM_POLICY_IDENTITY, 0, &err), IAMCTL_EXIT_FAIL);
    assert_non_null(strstr(err, "ERROR JSON_SYNTAX_ERROR"));
    free(err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_errors),
        cmocka_unit_test(test_accepts_with_warnings),
        cmocka_unit_test(test_clean_and_types),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
