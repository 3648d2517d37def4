/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writers given hostile paths: the empty path, a path without a directory part, a directory.
 * Each must be refused or handled without touching memory it does not own (run it under
 * ASan: the ASan build of scripts/test.sh does). Found by clang-tidy
 * (clang-analyzer-security.insecureAPI.strcpy) and confirmed with ASan:
 * iam_auth_cache_write("") writes 2 bytes into a 1-byte strdup() in replace_file().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "iam/auth_cache.h"
#include "iamtest.h"

static void test_auth_cache_write_empty_path(void **state) {
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    assert_true(iam_auth_cache_write("", NULL, 0, 1, &e) < 0);
}

static void test_auth_cache_write_directory(void **state) {
    struct iam_error e;
    char *dir = iamtest_mkdtemp();

    (void)state;
    assert_non_null(dir);
    iam_error_init(&e);
    assert_true(iam_auth_cache_write(dir, NULL, 0, 1, &e) < 0);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_cache_write_empty_path),
        cmocka_unit_test(test_auth_cache_write_directory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
