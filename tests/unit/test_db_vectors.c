/* SPDX-License-Identifier: Apache-2.0 */
/* One loader case: tests/vectors/db/<case>/input.json must load ("ok" in error) or fail with
 * -EINVAL at exactly the line and column in `error`, with the given text in the message.
 * Cases whose name starts with "export_" are parsed as AWS exports (IAM_DB_PARSE_EXPORT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/db.h"
#include "iamtest.h"

static const char *case_dir;

static void test_case(void **state) {
    char *path = NULL, *text, *expect;
    const char *name = strrchr(case_dir, '/') ? strrchr(case_dir, '/') + 1 : case_dir;
    size_t len;
    struct iam_db *db = NULL;
    struct iam_error e;
    unsigned line = 0, col = 0;
    int n = 0, r;

    (void)state;
    assert_true(asprintf(&path, "%s/input.json", case_dir) > 0);
    text = iamtest_read_file(path, &len);
    assert_non_null(text);
    free(path);
    assert_true(asprintf(&path, "%s/error", case_dir) > 0);
    expect = iamtest_read_file(path, NULL);
    assert_non_null(expect);
    free(path);
    expect[strcspn(expect, "\n")] = '\0';
    iam_error_init(&e);
    r = iam_db_parse(text, len, "input.json",
                     strncmp(name, "export_", 7) == 0 ? IAM_DB_PARSE_EXPORT : 0, &db, &e);
    if (strcmp(expect, "ok") == 0) {
        if (r != 0)
            fail_msg("%s: expected ok, got %d at %u:%u: %s", name, r, e.line, e.column, e.text);
        assert_non_null(db);
    } else {
        const char *msg;
        assert_int_equal(sscanf(expect, "%u:%u: %n", &line, &col, &n), 2);
        msg = expect + n;
        if (r >= 0 || e.line != line || e.column != col || !strstr(e.text, msg))
            fail_msg("%s: expected %u:%u \"%s\", got r=%d at %u:%u \"%s\"", name, line, col, msg, r,
                     e.line, e.column, e.text);
        assert_null(db);
        assert_string_equal(e.source, "input.json");
    }
    iam_db_free(db);
    free(text);
    free(expect);
}

int main(int argc, char *argv[]) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_case)};

    if (argc != 2) {
        fprintf(stderr, "usage: %s CASE_DIR\n", argv[0]);
        return 2;
    }
    case_dir = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
