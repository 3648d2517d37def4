/* SPDX-License-Identifier: Apache-2.0 */
/* The login-session record: kernel ids from a proc directory, the text format, and the files
 * (who may read which record, expiry, other boots, unsafe directories, removal, pruning). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "iam/login_session.h"
#include "iamtest.h"

#define BOOT "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define BOOT2 "11111111-2222-3333-4444-555555555555"

static void fill(struct iam_login_session *s) {
    memset(s, 0, sizeof(*s));
    s->id.audit_session = 42;
    s->id.login_uid = 200001;
    memcpy(s->id.boot_id, BOOT, sizeof(BOOT));
    snprintf(s->user, sizeof(s->user), "alice");
    s->created = 1700000000;
    s->expires = 1700000000 + IAM_LOGIN_SESSION_LIFETIME;
    snprintf(s->service, sizeof(s->service), "sshd");
    snprintf(s->tty, sizeof(s->tty), "/dev/pts/3");
    snprintf(s->remote_host, sizeof(s->remote_host), "192.0.2.7");
    snprintf(s->source_ip, sizeof(s->source_ip), "192.0.2.7");
    snprintf(s->auth_method, sizeof(s->auth_method), "accesskey");
    snprintf(s->access_key_id, sizeof(s->access_key_id), "AKIAAAAAAAAAAAAAAAAA");
}

static void test_round_trip(void **state) {
    struct iam_login_session s, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    (void)state;
    fill(&s);
    s.mfa_time = 1700000100;
    snprintf(s.role_arn, sizeof(s.role_arn), "arn:aws:iam::123456789012:role/deploy");
    snprintf(s.source_identity, sizeof(s.source_identity), "alice");
    s.role_since = 1700000200;
    s.role_max_session = 3600;
    iam_error_init(&e);
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), 0);
    assert_non_null(strstr(text, "iam-login-session 1\nuser alice\nsession 42\n"));
    assert_non_null(strstr(text, "\nmfa_time 1700000100\n"));
    assert_int_equal(iam_login_session_parse(text, len, &back, &e), 0);
    assert_memory_equal(&s, &back, sizeof(s));
    free(text);

    /* Optional fields left out are absent after a round trip too. */
    fill(&s);
    memset(s.tty, 0, sizeof(s.tty));
    memset(s.remote_host, 0, sizeof(s.remote_host));
    memset(s.source_ip, 0, sizeof(s.source_ip));
    memset(s.access_key_id, 0, sizeof(s.access_key_id));
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), 0);
    assert_null(strstr(text, "tty"));
    assert_null(strstr(text, "mfa_time"));
    assert_int_equal(iam_login_session_parse(text, len, &back, &e), 0);
    assert_memory_equal(&s, &back, sizeof(s));
    free(text);
}

static void test_format_refuses(void **state) {
    struct iam_login_session s;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    (void)state;
    fill(&s);
    snprintf(s.tty, sizeof(s.tty), "pts 3"); /* a space would split the line */
    iam_error_init(&e);
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), -EINVAL);
    assert_non_null(strstr(e.text, "tty"));
    fill(&s);
    snprintf(s.remote_host, sizeof(s.remote_host), "evil\nuser root");
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), -EINVAL);
    fill(&s);
    s.user[0] = '\0';
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), -EINVAL);
    fill(&s);
    memcpy(s.id.boot_id, "not-a-boot-id", 14);
    assert_int_equal(iam_login_session_format(&s, &text, &len, &e), -EINVAL);
    assert_null(text);
}

static void expect_bad(const char *text, unsigned line) {
    struct iam_login_session s;
    struct iam_error e;

    iam_error_init(&e);
    assert_int_equal(iam_login_session_parse(text, strlen(text), &s, &e), -EBADMSG);
    if (line)
        assert_int_equal(e.line, line);
}

#define HEAD "iam-login-session 1\n"
#define BODY                                                                                   \
    "user alice\nsession 42\nloginuid 200001\nboot " BOOT "\ncreated 1700000000\n"           \
    "expires 1700043200\n"

static void test_parse_refuses(void **state) {
    struct iam_login_session s;
    struct iam_error e;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_login_session_parse(HEAD BODY, strlen(HEAD BODY), &s, &e), 0);
    assert_string_equal(s.user, "alice");
    assert_int_equal(s.id.login_uid, 200001);
    expect_bad("iam-login-session 2\n" BODY, 1);
    expect_bad("", 1);
    expect_bad(HEAD BODY "tty /dev/pts/1", 8);           /* no final newline */
    expect_bad(HEAD BODY "tty /dev/pts/1\ntty x\n", 9); /* repeated */
    expect_bad(HEAD BODY "shell /bin/sh\n", 8);          /* unknown key */
    expect_bad(HEAD BODY "tty\n", 8);                    /* no value */
    expect_bad(HEAD BODY "tty \n", 8);                   /* empty value */
    expect_bad(HEAD BODY "tty a b\n", 8);                /* space in a value */
    expect_bad(HEAD BODY "tty a\tb\n", 8);
    expect_bad(HEAD BODY "tty \xc3\xa9\n", 8);
    expect_bad(HEAD BODY "mfa_time -1\n", 8);
    expect_bad(HEAD BODY "mfa_time 0123\n", 8);
    expect_bad(HEAD BODY "mfa_time 99999999999999999999\n", 8);
    expect_bad(HEAD "user alice\nsession 4294967295\n", 3);
    expect_bad(HEAD "user alice\nsession 4294967296\n", 3);
    expect_bad(HEAD "user alice\nloginuid 200001\n", 0); /* session missing */
    expect_bad(HEAD "user alice\nsession 42\nloginuid 200001\nboot " BOOT
                    "\ncreated 1700000000\nexpires 1600000000\n", 0);
    /* NUL bytes inside: not a printable value. */
    {
        char buf[] = HEAD BODY "tty ab\n";
        size_t n = sizeof(buf) - 1;

        buf[n - 2] = '\0';
        iam_error_init(&e);
        assert_int_equal(iam_login_session_parse(buf, n, &s, &e), -EBADMSG);
    }
}

static char *mkproc(const char *sessionid, const char *loginuid, const char *boot) {
    char *dir = iamtest_mkdtemp(), sub[512];

    snprintf(sub, sizeof(sub), "%s/self", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/sys", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/sys/kernel", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/sys/kernel/random", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    if (sessionid)
        free(iamtest_write_file(dir, "self/sessionid", sessionid, strlen(sessionid), 0644));
    if (loginuid)
        free(iamtest_write_file(dir, "self/loginuid", loginuid, strlen(loginuid), 0644));
    if (boot)
        free(iamtest_write_file(dir, "sys/kernel/random/boot_id", boot, strlen(boot), 0644));
    return dir;
}

static void test_id_read(void **state) {
    struct iam_login_session_id id;
    char *d;

    (void)state;
    d = mkproc("42", "200001", BOOT "\n");
    assert_int_equal(iam_login_session_id_read(d, &id), 0);
    assert_int_equal(id.audit_session, 42);
    assert_int_equal(id.login_uid, 200001);
    assert_string_equal(id.boot_id, BOOT);
    iamtest_rmtree(d);
    free(d);

    d = mkproc("4294967295", "200001", BOOT); /* no pam_loginuid: no session id */
    assert_int_equal(iam_login_session_id_read(d, &id), -ENOENT);
    iamtest_rmtree(d);
    free(d);
    d = mkproc("42", "4294967295", BOOT);
    assert_int_equal(iam_login_session_id_read(d, &id), -ENOENT);
    iamtest_rmtree(d);
    free(d);
    d = mkproc(NULL, NULL, BOOT); /* a kernel without audit */
    assert_int_equal(iam_login_session_id_read(d, &id), -ENOENT);
    iamtest_rmtree(d);
    free(d);
    d = mkproc("4x", "200001", BOOT);
    assert_int_equal(iam_login_session_id_read(d, &id), -EBADMSG);
    iamtest_rmtree(d);
    free(d);
    d = mkproc("42", "200001", "garbage");
    assert_int_equal(iam_login_session_id_read(d, &id), -EBADMSG);
    iamtest_rmtree(d);
    free(d);

    /* The real one: either set (a login through pam_loginuid) or unset, never an error. */
    {
        int r = iam_login_session_id_read("/proc", &id);

        assert_true(r == 0 || r == -ENOENT);
    }
}

/* A role session in the login's record: noted for the login's user only, found by the role's
 * ARN (whatever the user), replaced by a later one, cleared. */
static void test_role_session(void **state) {
    const char *deploy = "arn:aws:iam::123456789012:role/deploy";
    struct iam_login_session s, got;
    struct iam_login_session_id other;
    struct iam_error e;
    char *root = iamtest_mkdtemp(), dir[512];
    int64_t now = 1700000500;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/sessions", root);
    fill(&s);
    iam_error_init(&e);
    assert_int_equal(iam_login_session_write(dir, &s, &e), 0);
    assert_int_equal(iam_login_session_read_role(dir, &s.id, deploy, now, &got, &e), -ENOENT);
    /* only the login's own user can be noted */
    assert_int_equal(iam_login_session_note_role(dir, &s.id, "bob", deploy, now, 3600, &e),
                     -ENOENT);
    assert_int_equal(iam_login_session_note_role(dir, &s.id, "alice", deploy, now, 3600, &e), 0);
    assert_int_equal(iam_login_session_read_role(dir, &s.id, deploy, now + 1, &got, &e), 0);
    assert_string_equal(got.source_identity, "alice");
    assert_string_equal(got.user, "alice");
    assert_int_equal(got.role_since, now);
    assert_int_equal(got.role_max_session, 3600);
    assert_string_equal(got.source_ip, "192.0.2.7"); /* the login's facts stay */
    /* another role, another login, another boot: no session */
    assert_int_equal(iam_login_session_read_role(dir, &s.id, "arn:aws:iam::123456789012:role/web",
                                                 now, &got, &e),
                     -ENOENT);
    other = s.id;
    other.login_uid = 200002;
    assert_int_equal(iam_login_session_read_role(dir, &other, deploy, now, &got, &e), -ENOENT);
    other = s.id;
    memcpy(other.boot_id, BOOT2, sizeof(BOOT2));
    assert_int_equal(iam_login_session_read_role(dir, &other, deploy, now, &got, &e), -ENOENT);
    /* the login's record expired: no role session either */
    assert_int_equal(iam_login_session_read_role(dir, &s.id, deploy, s.expires, &got, &e),
                     -ENOENT);
    /* a later assumption replaces it; the end clears it */
    assert_int_equal(iam_login_session_note_role(dir, &s.id, "alice",
                                                 "arn:aws:iam::123456789012:role/web", now + 5,
                                                 43200, &e),
                     0);
    assert_int_equal(iam_login_session_read_role(dir, &s.id, deploy, now + 6, &got, &e), -ENOENT);
    assert_int_equal(iam_login_session_note_role(dir, &s.id, "alice", NULL, now + 7, 0, &e), 0);
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", now + 8, &got, &e), 0);
    assert_string_equal(got.role_arn, "");
    assert_string_equal(got.source_identity, "");
    assert_int_equal(got.role_since, 0);
    /* bad arguments */
    assert_int_equal(iam_login_session_note_role(dir, &s.id, "alice", deploy, now, 0, &e),
                     -EINVAL);
    assert_int_equal(iam_login_session_read_role(dir, &s.id, "", now, &got, &e), -EINVAL);
    iamtest_rmtree(root);
    free(root);
}

static void test_files(void **state) {
    struct iam_login_session s, got;
    struct iam_login_session_id other;
    struct iam_error e;
    char *root = iamtest_mkdtemp(), dir[512], path[600];
    struct stat st;
    int64_t now = 1700000500;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/sessions", root);
    fill(&s);
    iam_error_init(&e);
    assert_int_equal(iam_login_session_write(dir, &s, &e), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    snprintf(path, sizeof(path), "%s/42", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", now, &got, &e), 0);
    assert_string_equal(got.source_ip, "192.0.2.7");
    assert_string_equal(got.tty, "/dev/pts/3");
    /* Another user, another login uid, another boot, another session: nothing. */
    assert_int_equal(iam_login_session_read(dir, &s.id, "bob", now, &got, &e), -ENOENT);
    other = s.id;
    other.login_uid = 200002;
    assert_int_equal(iam_login_session_read(dir, &other, "alice", now, &got, &e), -ENOENT);
    other = s.id;
    memcpy(other.boot_id, BOOT2, sizeof(BOOT2));
    assert_int_equal(iam_login_session_read(dir, &other, "alice", now, &got, &e), -ENOENT);
    other = s.id;
    other.audit_session = 43;
    assert_int_equal(iam_login_session_read(dir, &other, "alice", now, &got, &e), -ENOENT);
    /* Lifetime: not before it was made, not at or after it expires. */
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", s.created - 1, &got, &e),
                     -ENOENT);
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", s.expires, &got, &e), -ENOENT);
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", s.expires - 1, &got, &e), 0);

    /* A damaged record is an error, not "no record". */
    free(iamtest_write_file(dir, "42", "iam-login-session 1\nuser alice\n", 31, 0600));
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", now, &got, &e), -EBADMSG);
    /* A record another user could have written: refused. */
    assert_int_equal(iam_login_session_write(dir, &s, &e), 0);
    assert_int_equal(chmod(path, 0620), 0);
    iam_error_init(&e);
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", now, &got, &e), -EACCES);
    assert_int_equal(chmod(path, 0600), 0);
    /* An open directory: refused for reading and writing. */
    assert_int_equal(chmod(dir, 0755), 0);
    iam_error_init(&e);
    assert_int_equal(iam_login_session_read(dir, &s.id, "alice", now, &got, &e), -EACCES);
    assert_int_equal(iam_login_session_write(dir, &s, &e), -EACCES);
    assert_int_equal(chmod(dir, 0700), 0);
    /* A symlink in place of the directory: refused. */
    {
        char link[600];

        snprintf(link, sizeof(link), "%s/link", root);
        assert_int_equal(symlink(dir, link), 0);
        iam_error_init(&e);
        assert_int_equal(iam_login_session_read(link, &s.id, "alice", now, &got, &e), -EACCES);
    }
    /* No directory yet: no record. */
    {
        char none[600];

        snprintf(none, sizeof(none), "%s/none", root);
        assert_int_equal(iam_login_session_read(none, &s.id, "alice", now, &got, &e), -ENOENT);
        assert_int_equal(iam_login_session_read("relative", &s.id, "alice", now, &got, &e),
                         -EINVAL);
    }

    /* Remove: only the owner's record. */
    assert_int_equal(iam_login_session_remove(dir, &s.id, "bob", &e), -ENOENT);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(iam_login_session_remove(dir, &s.id, "alice", &e), 0);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(iam_login_session_remove(dir, &s.id, "alice", &e), -ENOENT);

    /* Writing prunes records of other boots and expired ones, and keeps live ones. */
    {
        struct iam_login_session old = s, gone = s, live = s, next = s;

        old.id.audit_session = 7;
        memcpy(old.id.boot_id, BOOT2, sizeof(BOOT2));
        gone.id.audit_session = 8;
        gone.created = 1600000000;
        gone.expires = 1600000000 + IAM_LOGIN_SESSION_LIFETIME;
        live.id.audit_session = 9;
        assert_int_equal(iam_login_session_write(dir, &old, &e), 0);
        assert_int_equal(iam_login_session_write(dir, &gone, &e), 0);
        assert_int_equal(iam_login_session_write(dir, &live, &e), 0);
        free(iamtest_write_file(dir, "notes.txt", "x", 1, 0600));
        next.id.audit_session = 10;
        assert_int_equal(iam_login_session_write(dir, &next, &e), 0);
        snprintf(path, sizeof(path), "%s/7", dir);
        assert_int_equal(stat(path, &st), -1);
        snprintf(path, sizeof(path), "%s/8", dir);
        assert_int_equal(stat(path, &st), -1);
        snprintf(path, sizeof(path), "%s/9", dir);
        assert_int_equal(stat(path, &st), 0);
        snprintf(path, sizeof(path), "%s/notes.txt", dir);
        assert_int_equal(stat(path, &st), 0);
    }
    iamtest_rmtree(root);
    free(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_format_refuses),
        cmocka_unit_test(test_parse_refuses), cmocka_unit_test(test_id_read),
        cmocka_unit_test(test_files), cmocka_unit_test(test_role_session),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
