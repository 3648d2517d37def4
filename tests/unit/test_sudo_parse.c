/* SPDX-License-Identifier: Apache-2.0 */
/* The approval plugin's parser of sudo's arrays: what it takes, what it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sudo_iam_private.h"

/* sudo's arrays are char *const[]; the test builds them from string literals. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
#endif

static void test_open(void **state) {
    char *settings[] = {"progname=sudo", "network_addrs=127.0.0.1/255.0.0.0", NULL};
    char *user_info[] = {"user=alice", "uid=200001", "tty=/dev/pts/3", "cwd=/", NULL};
    char *options[] = {"config=/etc/iam/other.conf", "debug", NULL};
    struct sudo_iam_info info;
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(sudo_iam_parse_open(settings, user_info, options, &info, &e), 0);
    assert_string_equal(info.user, "alice");
    assert_int_equal(info.uid, 200001);
    assert_string_equal(info.tty, "/dev/pts/3");
    assert_string_equal(info.config_path, "/etc/iam/other.conf");
    assert_true(info.debug);
    sudo_iam_info_done(&info);

    /* No terminal, no options. */
    {
        char *ui[] = {"uid=5", "user=bob", NULL};

        assert_int_equal(sudo_iam_parse_open(NULL, ui, NULL, &info, &e), 0);
        assert_null(info.tty);
        assert_null(info.config_path);
        sudo_iam_info_done(&info);
    }
}

static void expect_open_fails(char **settings, char **user_info, char **options, int want,
                              const char *text) {
    struct sudo_iam_info info = {0};
    struct iam_error e;

    iam_error_init(&e);
    assert_int_equal(sudo_iam_parse_open(settings, user_info, options, &info, &e), want);
    assert_null(info.user);
    assert_non_null(strstr(e.text, text));
}

static void test_open_refuses(void **state) {
    char *ok_ui[] = {"user=alice", "uid=1", NULL};

    (void)state;
    {
        char *ui[] = {"uid=1", NULL};
        expect_open_fails(NULL, ui, NULL, -EINVAL, "no user=");
    }
    {
        char *ui[] = {"user=", "uid=1", NULL};
        expect_open_fails(NULL, ui, NULL, -EINVAL, "no user=");
    }
    {
        char *ui[] = {"user=alice", "uid=-1", NULL};
        expect_open_fails(NULL, ui, NULL, -EINVAL, "uid=");
    }
    {
        char *ui[] = {"user=alice", "uid=1", "user=root", NULL};
        expect_open_fails(NULL, ui, NULL, -EINVAL, "given twice");
    }
    {
        char *st[] = {"progname", NULL};
        expect_open_fails(st, ok_ui, NULL, -EINVAL, "not key=value");
    }
    {
        char *op[] = {"config=relative.conf", NULL};
        expect_open_fails(NULL, ok_ui, op, -EINVAL, "unknown plugin option");
    }
    {
        char *op[] = {"enforce=no", NULL};
        expect_open_fails(NULL, ok_ui, op, -EINVAL, "unknown plugin option");
    }
    {
        char *op[] = {"config=/a", "config=/b", NULL};
        expect_open_fails(NULL, ok_ui, op, -EINVAL, "twice");
    }
}

static void test_command(void **state) {
    char *ci[] = {"command=/usr/bin/systemctl", "runas_user=root", "runas_uid=0",
                  "runas_gid=0",                "cwd=/",           NULL};
    char *argv[] = {"systemctl", "restart", "nginx", NULL};
    struct sudo_iam_command c;
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(sudo_iam_parse_command(ci, argv, false, &c, &e), 0);
    assert_string_equal(c.command, "/usr/bin/systemctl");
    assert_string_equal(c.command_line, "/usr/bin/systemctl restart nginx");
    assert_int_equal(c.n_args, 2);
    assert_string_equal(c.args[0], "restart");
    assert_string_equal(c.args[1], "nginx");
    assert_null(c.args[2]);
    assert_string_equal(c.runas_user, "root");
    assert_string_equal(c.runas_group, "0"); /* no name given, not resolved */
    sudo_iam_command_done(&c);

    /* Ids only: resolved through NSS (root exists everywhere), else digits. */
    {
        char *ci2[] = {"command=/bin/sh", "runas_uid=0", "runas_gid=0", NULL};
        char *argv2[] = {"-sh", NULL};

        assert_int_equal(sudo_iam_parse_command(ci2, argv2, true, &c, &e), 0);
        assert_string_equal(c.runas_user, "root");
        assert_string_equal(c.runas_group, "root");
        assert_int_equal(c.n_args, 0);
        assert_string_equal(c.command_line, "/bin/sh");
        sudo_iam_command_done(&c);
    }
    {
        char *ci3[] = {"command=/usr/bin/id", "runas_uid=4000000000", NULL};

        assert_int_equal(sudo_iam_parse_command(ci3, NULL, true, &c, &e), 0);
        assert_string_equal(c.runas_user, "4000000000");
        assert_null(c.runas_group);
        sudo_iam_command_done(&c);
    }
    /* An argument holding spaces, newlines or quotes is kept as it is. */
    {
        char *argv4[] = {"echo", "a b", "x\n{\"forged\":1}", NULL};

        assert_int_equal(sudo_iam_parse_command(ci, argv4, false, &c, &e), 0);
        assert_string_equal(c.command_line, "/usr/bin/systemctl a b x\n{\"forged\":1}");
        assert_int_equal(c.n_args, 2);
        sudo_iam_command_done(&c);
    }
}

static void test_command_refuses(void **state) {
    struct sudo_iam_command c = {0};
    struct iam_error e;

    (void)state;
    {
        char *ci[] = {"runas_uid=0", NULL};
        iam_error_init(&e);
        assert_int_equal(sudo_iam_parse_command(ci, NULL, false, &c, &e), -EINVAL);
    }
    {
        char *ci[] = {"command=id", "runas_uid=0", NULL}; /* not resolved: refused */
        iam_error_init(&e);
        assert_int_equal(sudo_iam_parse_command(ci, NULL, false, &c, &e), -EINVAL);
    }
    {
        char *ci[] = {"command=/usr/bin/id", NULL}; /* no run-as user at all */
        iam_error_init(&e);
        assert_int_equal(sudo_iam_parse_command(ci, NULL, false, &c, &e), -EINVAL);
    }
    {
        char *ci[] = {"command=/usr/bin/id", "command=/bin/sh", "runas_uid=0", NULL};
        iam_error_init(&e);
        assert_int_equal(sudo_iam_parse_command(ci, NULL, false, &c, &e), -EINVAL);
    }
    /* Over the argument limit. */
    {
        char *ci[] = {"command=/usr/bin/id", "runas_uid=0", NULL};
        char **argv = calloc(SUDO_IAM_MAX_ARGS + 3, sizeof(*argv));

        assert_non_null(argv);
        for (size_t i = 0; i < SUDO_IAM_MAX_ARGS + 2; i++)
            argv[i] = "x";
        iam_error_init(&e);
        assert_int_equal(sudo_iam_parse_command(ci, argv, false, &c, &e), -E2BIG);
        free(argv);
    }
    assert_null(c.command);
}

static void test_path_plain(void **state) {
    (void)state;
    assert_true(sudo_iam_path_plain("/usr/bin/id"));
    assert_false(sudo_iam_path_plain("/")); /* not a command */
    assert_true(sudo_iam_path_plain("/usr/local/sbin/deploy/a..b"));
    assert_true(sudo_iam_path_plain("/opt/.hidden/run"));
    assert_false(sudo_iam_path_plain(NULL));
    assert_false(sudo_iam_path_plain("usr/bin/id"));
    assert_false(sudo_iam_path_plain("/usr/local/sbin/deploy/../../../bin/sh"));
    assert_false(sudo_iam_path_plain("/usr/bin/./id"));
    assert_false(sudo_iam_path_plain("/usr//bin/id"));
    assert_false(sudo_iam_path_plain("/usr/bin/.."));
    assert_false(sudo_iam_path_plain("/usr/bin/."));
    assert_false(sudo_iam_path_plain("/usr/bin/"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_open_refuses),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_command_refuses),
        cmocka_unit_test(test_path_plain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
