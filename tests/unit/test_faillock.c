/* SPDX-License-Identifier: Apache-2.0 */
/* The failed-login tally (faillock.c): the text format, counting within the window, the start
 * and end of a lock, a lock until reset, the dummy tally, listing, unsafe files, and
 * concurrent writers counted exactly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "iam/faillock.h"
#include "iamtest.h"

#define ID "AIDAEXAMPLEALICE0001"
#define ID2 "AIDAEXAMPLEBOB000002"

static const struct iam_faillock_policy P = {.failures = 3, .window = 100, .lock_time = 50};

static int fail_at(const char *dir, const char *id, int64_t t, struct iam_faillock_state *s) {
    struct iam_error e;

    iam_error_init(&e);
    return iam_faillock_fail(dir, id, id ? "alice" : NULL, &P, t, "sshd", "192.0.2.1", s, &e);
}

static void test_format_round_trip(void **state) {
    struct iam_faillock_state s, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    (void)state;
    memset(&s, 0, sizeof(s));
    snprintf(s.user_name, sizeof(s.user_name), "alice");
    snprintf(s.user_id, sizeof(s.user_id), ID);
    s.locked_since = 1000;
    s.locked_until = IAM_FAILLOCK_FOREVER;
    s.refused = 4;
    s.n_failures = 2;
    s.failures[0].when = 990;
    snprintf(s.failures[0].service, sizeof(s.failures[0].service), "sshd");
    snprintf(s.failures[0].source, sizeof(s.failures[0].source), "192.0.2.1");
    s.failures[1].when = 1000;
    snprintf(s.failures[1].service, sizeof(s.failures[1].service), "su");
    snprintf(s.failures[1].source, sizeof(s.failures[1].source), "-");
    assert_int_equal(iam_faillock_format(&s, &text, &len), 0);
    assert_string_equal(text, "iam-faillock 1\nuser alice\nid " ID "\nlocked_since 1000\n"
                              "locked_until -1\nrefused 4\nfail 990 sshd 192.0.2.1\n"
                              "fail 1000 su -\n");
    iam_error_init(&e);
    assert_int_equal(iam_faillock_parse(text, len, &back, &e), 0);
    assert_memory_equal(&s, &back, sizeof(s));
    free(text);
}

static void test_parse_refuses(void **state) {
    static const char *const bad[] = {
        "",
        "iam-faillock 2\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\n",
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\n", /* missing */
        "iam-faillock 1\nuser a\nuser b\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\n",
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until -2\nrefused 0\n",
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\nfail 5\n",
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\n"
        "fail 9 s h\nfail 8 s h\n", /* out of order */
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\nx 1\n",
        "iam-faillock 1\nuser a\xff\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0\n",
        "iam-faillock 1\nuser a\nid " ID "\nlocked_since 0\nlocked_until 0\nrefused 0", /* no \n */
    };
    struct iam_faillock_state s;
    struct iam_error e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        iam_error_init(&e);
        assert_int_equal(iam_faillock_parse(bad[i], strlen(bad[i]), &s, &e), -EBADMSG);
        assert_true(e.set);
    }
}

static void test_lock_cycle(void **state) {
    struct iam_faillock_state s;
    struct iam_error e;
    char *dir = iamtest_mkdtemp();

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), -ENOENT);
    assert_int_equal(fail_at(dir, ID, 1000, &s), IAM_FAILLOCK_COUNTED);
    assert_int_equal(fail_at(dir, ID, 1001, &s), IAM_FAILLOCK_COUNTED);
    assert_false(iam_faillock_locked(&s, 1001));
    /* the third within 100 s locks for 50 s */
    assert_int_equal(fail_at(dir, ID, 1099, &s), IAM_FAILLOCK_LOCK_STARTED);
    assert_int_equal(s.locked_since, 1099);
    assert_int_equal(s.locked_until, 1149);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), 0);
    assert_true(iam_faillock_locked(&s, 1148));
    assert_false(iam_faillock_locked(&s, 1149));
    assert_string_equal(s.user_name, "alice");
    assert_int_equal(s.n_failures, 3);
    /* attempts during the lock are refused, not counted, and do not extend it */
    assert_int_equal(fail_at(dir, ID, 1120, &s), IAM_FAILLOCK_WHILE_LOCKED);
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.n_failures, 3);
    assert_int_equal(s.locked_until, 1149);
    /* after it, counting starts again */
    assert_int_equal(fail_at(dir, ID, 1149, &s), IAM_FAILLOCK_COUNTED);
    assert_int_equal(s.n_failures, 1);
    assert_int_equal(s.locked_until, 0);
    assert_int_equal(s.refused, 0);
    /* failures that left the window do not count */
    assert_int_equal(fail_at(dir, ID, 1200, &s), IAM_FAILLOCK_COUNTED);
    assert_int_equal(fail_at(dir, ID, 1249, &s), IAM_FAILLOCK_COUNTED); /* 1149 is out */
    assert_int_equal(s.n_failures, 2);
    assert_int_equal(iam_faillock_reset(dir, ID, &e), 0);
    assert_int_equal(iam_faillock_reset(dir, ID, &e), -ENOENT);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), -ENOENT);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_forever_and_dummy(void **state) {
    struct iam_faillock_policy p = {.failures = 1, .window = 10, .lock_time = 0};
    struct iam_faillock_state s, *all = NULL;
    struct iam_error e;
    size_t n = 0;
    char *dir = iamtest_mkdtemp();

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_faillock_fail(dir, ID, "alice", &p, 5, NULL, NULL, &s, &e),
                     IAM_FAILLOCK_LOCK_STARTED);
    assert_int_equal(s.locked_until, IAM_FAILLOCK_FOREVER);
    assert_true(iam_faillock_locked(&s, INT64_C(1) << 40));
    assert_string_equal(s.failures[0].service, "-");
    /* names IAM does not know: counted in the dummy tally, never locked, never listed */
    for (int i = 0; i < 150; i++)
        assert_int_equal(iam_faillock_fail(dir, NULL, NULL, &p, 10 + i, "sshd", "h", &s, &e),
                         IAM_FAILLOCK_COUNTED);
    assert_int_equal(s.n_failures, 10); /* 1 s apart in a 10 s window: the last 10 */
    assert_int_equal(iam_faillock_list(dir, &all, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].user_id, ID);
    free(all);
    /* not IAM ids */
    assert_int_equal(iam_faillock_fail(dir, "../etc", "x", &p, 5, NULL, NULL, &s, &e), -EINVAL);
    assert_int_equal(iam_faillock_reset(dir, "AKIAEXAMPLE", &e), -EINVAL);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_unsafe(void **state) {
    struct iam_faillock_state s;
    struct iam_error e;
    char *dir = iamtest_mkdtemp(), path[4096];

    (void)state;
    assert_int_equal(fail_at(dir, ID, 1000, &s), IAM_FAILLOCK_COUNTED);
    snprintf(path, sizeof(path), "%s/faillock/%s", dir, ID);
    assert_int_equal(chmod(path, 0644), 0);
    iam_error_init(&e);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), -EACCES);
    assert_int_equal(fail_at(dir, ID, 1001, &s), -EACCES);
    assert_int_equal(chmod(path, 0600), 0);
    snprintf(path, sizeof(path), "%s/faillock", dir);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), -EACCES);
    assert_int_equal(chmod(path, 0700), 0);
    /* a symbolic link in place of the tally */
    snprintf(path, sizeof(path), "%s/faillock/%s", dir, ID2);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_equal(iam_faillock_read(dir, ID2, &s, &e), -EACCES);
    iamtest_rmtree(dir);
    free(dir);
}

/* 8 processes, 10 failures each, all at once: 80 entries, none lost. */
static void test_concurrent(void **state) {
    struct iam_faillock_policy p = {.failures = 100, .window = 1000, .lock_time = 10};
    struct iam_faillock_state s;
    struct iam_error e;
    char *dir = iamtest_mkdtemp();
    pid_t pids[8];

    (void)state;
    for (int i = 0; i < 8; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            int bad = 0;

            for (int k = 0; k < 10; k++)
                if (iam_faillock_fail(dir, ID, "alice", &p, 100, NULL, NULL, NULL, &e) !=
                    IAM_FAILLOCK_COUNTED)
                    bad++;
            _exit(bad);
        }
    }
    for (int i = 0; i < 8; i++) {
        int st = -1;

        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    iam_error_init(&e);
    assert_int_equal(iam_faillock_read(dir, ID, &s, &e), 0);
    assert_int_equal(s.n_failures, 80);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_round_trip), cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_lock_cycle),        cmocka_unit_test(test_forever_and_dummy),
        cmocka_unit_test(test_unsafe),            cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
