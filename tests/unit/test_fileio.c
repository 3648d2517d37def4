/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iam/fileio.h"
#include "iamtest.h"

static void test_read_ok(void **state) {
    char *dir = iamtest_mkdtemp(), *p, *buf = NULL;
    size_t len = 0;
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    p = iamtest_write_file(dir, "f", "hello", 5, 0600);
    assert_int_equal(iam_file_read_safe(p, 100, &buf, &len, &e), 0);
    assert_int_equal(len, 5);
    assert_string_equal(buf, "hello");
    free(buf);
    /* 0644 is fine too: only group/other *write* is refused */
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(iam_file_read_safe(p, 100, &buf, &len, &e), 0);
    free(buf);
    /* exactly at the limit passes, one over fails with E2BIG */
    assert_int_equal(iam_file_read_safe(p, 5, &buf, &len, &e), 0);
    free(buf);
    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(p, 4, &buf, &len, &e), -E2BIG);
    assert_non_null(strstr(e.text, "too large"));
    free(p);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_read_refuses(void **state) {
    char *dir = iamtest_mkdtemp(), *p, *link = NULL, *buf = NULL;
    size_t len = 0;
    struct iam_error e;

    (void)state;
    p = iamtest_write_file(dir, "f", "x", 1, 0600);
    assert_int_equal(chmod(p, 0620), 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(p, 100, &buf, &len, &e), -EACCES);
    assert_non_null(strstr(e.text, "writable by group or others"));
    assert_string_equal(e.source, p);
    assert_int_equal(chmod(p, 0602), 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(p, 100, &buf, &len, &e), -EACCES);
    assert_int_equal(chmod(p, 0600), 0);

    assert_true(asprintf(&link, "%s/link", dir) > 0);
    assert_int_equal(symlink(p, link), 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(link, 100, &buf, &len, &e), -EACCES);
    assert_non_null(strstr(e.text, "symbolic link"));

    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(dir, 100, &buf, &len, &e), -EACCES);
    assert_non_null(strstr(e.text, "not a regular file"));

    free(link);
    assert_true(asprintf(&link, "%s/missing", dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_read_safe(link, 100, &buf, &len, &e), -ENOENT);

    if (geteuid() == 0) {
        /* a file owned by someone else (not root, not us) is refused */
        assert_int_equal(chown(p, 12345, 12345), 0);
        iam_error_init(&e);
        assert_int_equal(iam_file_read_safe(p, 100, &buf, &len, &e), -EACCES);
        assert_non_null(strstr(e.text, "owned by uid 12345"));
    }
    assert_null(buf);
    free(link);
    free(p);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_write_atomic(void **state) {
    char *dir = iamtest_mkdtemp(), *p = NULL, *buf;
    struct iam_error e;
    struct stat st;
    size_t len;

    (void)state;
    assert_true(asprintf(&p, "%s/db.json", dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_write_atomic(p, "one", 3, 0600, &e), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    buf = iamtest_read_file(p, &len);
    assert_string_equal(buf, "one");
    free(buf);
    assert_int_equal(iam_file_write_atomic(p, "second", 6, 0644, &e), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    buf = iamtest_read_file(p, &len);
    assert_string_equal(buf, "second");
    free(buf);
    /* no temporary files left behind */
    {
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;
        assert_non_null(d);
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                n++;
        closedir(d);
        assert_int_equal(n, 1);
    }
    /* a directory that does not exist: error, nothing written */
    free(p);
    assert_true(asprintf(&p, "%s/nodir/db.json", dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_file_write_atomic(p, "x", 1, 0600, &e), -ENOENT);
    assert_true(e.set);
    free(p);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_lock(void **state) {
    char *dir = iamtest_mkdtemp(), *p = NULL;
    struct iam_error e;
    int fd, fd2, status;
    pid_t pid;

    (void)state;
    assert_true(asprintf(&p, "%s/db.lock", dir) > 0);
    iam_error_init(&e);
    fd = iam_lock_acquire(p, 0, &e);
    assert_true(fd >= 0);
    /* another process cannot take it, and times out with -EAGAIN */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct iam_error ce;
        int cfd;
        iam_error_init(&ce);
        cfd = iam_lock_acquire(p, 50, &ce);
        _exit(cfd == -EAGAIN ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    iam_lock_release(fd);
    fd2 = iam_lock_acquire(p, 0, &e);
    assert_true(fd2 >= 0);
    iam_lock_release(fd2);
    /* a symlinked lock file is refused */
    {
        char *l = NULL;
        assert_true(asprintf(&l, "%s/l.lock", dir) > 0);
        assert_int_equal(symlink(p, l), 0);
        iam_error_init(&e);
        assert_int_equal(iam_lock_acquire(l, 0, &e), -EACCES);
        free(l);
    }
    free(p);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_ok),
        cmocka_unit_test(test_read_refuses),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
