/* SPDX-License-Identifier: Apache-2.0 */
/* Audit records: fields, sanitising, append semantics and file safety; last-used records. */
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
#include <jansson.h>

#include "iam/audit.h"
#include "iam/lastused.h"
#include "iamtest.h"

static void test_uuid(void **state) {
    char a[IAM_UUID_STR_LEN + 1], b[IAM_UUID_STR_LEN + 1];

    (void)state;
    iam_uuid4(a);
    iam_uuid4(b);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
}

static void test_format(void **state) {
    struct iam_audit_record rec = {
        .event = IAM_AUDIT_LOGIN,
        .time = 1700000000,
        .is_iam_user = true,
        .user_name = "alice",
        .principal_id = "AIDAX",
        .arn = "arn:aws:iam::123456789012:user/alice",
        .account_id = "123456789012",
        .access_key_id = "AKIAAAAAAAAAAAAAAAAA",
        .source_ip = "127.0.0.1",
        .user_agent = "sshd",
        .error_code = "AccessDenied",
        .error_message = "explicit deny",
        .host_arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
        .action = "host:Login",
        .service = "sshd",
        .tty = "ssh\n\x01\xff",
        .auth_method = "accesskey",
        .decision = "deny",
        .deciding_policy = "group/devs/deny",
        .deciding_statement = "NoLogin",
        .enforced = true,
    };
    char *line = NULL;
    json_t *j;
    json_error_t je;

    (void)state;
    assert_int_equal(iam_audit_format(&rec, &line), 0);
    assert_null(strchr(line, '\n'));
    j = json_loads(line, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "eventVersion")), "1.08");
    assert_string_equal(json_string_value(json_object_get(j, "eventTime")),
                        "2023-11-14T22:13:20Z");
    assert_string_equal(json_string_value(json_object_get(j, "eventSource")), "pam_iam");
    assert_string_equal(json_string_value(json_object_get(j, "eventName")), "Login");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "userIdentity"), "type")),
        "IAMUser");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "userIdentity"), "accessKeyId")),
        "AKIAAAAAAAAAAAAAAAAA");
    assert_string_equal(json_string_value(json_object_get(j, "sourceIPAddress")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "userAgent")), "sshd");
    assert_string_equal(json_string_value(json_object_get(j, "errorCode")), "AccessDenied");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "requestParameters"), "tty")),
        "ssh???");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "additionalEventData"), "decidingStatement")),
                        "NoLogin");
    assert_true(json_is_true(
        json_object_get(json_object_get(j, "additionalEventData"), "enforced")));
    assert_int_equal(strlen(json_string_value(json_object_get(j, "eventID"))), 36);
    json_decref(j);
    free(line);

    /* Success, unknown user, no remote host: no errorCode, sourceIPAddress null. */
    memset(&rec, 0, sizeof(rec));
    rec.event = IAM_AUDIT_AUTHENTICATE;
    rec.user_name = "nobody";
    assert_int_equal(iam_audit_format(&rec, &line), 0);
    j = json_loads(line, 0, &je);
    assert_non_null(j);
    assert_null(json_object_get(j, "errorCode"));
    assert_true(json_is_null(json_object_get(j, "sourceIPAddress")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "userIdentity"), "type")),
        "Unknown");
    json_decref(j);
    free(line);
}

/* Roles in CloudTrail's shapes: an AssumeRole record (requestParameters, responseElements)
 * and a record of the role session (userIdentity AssumedRole with sessionContext). */
static void test_roles(void **state) {
    struct iam_audit_record rec = {
        .event = IAM_AUDIT_ASSUME_ROLE,
        .time = 1700000000,
        .is_iam_user = true,
        .user_name = "alice",
        .principal_id = "AIDAX",
        .arn = "arn:aws:iam::123456789012:user/alice",
        .account_id = "123456789012",
        .action = "sts:AssumeRole",
        .role_arn = "arn:aws:iam::123456789012:role/ops/deploy",
        .role_id = "AROAD",
        .role_session_name = "alice",
        .role_source_identity = "alice",
        .decision = "allow",
    };
    char *line = NULL, arn[128];
    json_t *j, *u, *ctx;
    json_error_t je;

    (void)state;
    assert_int_equal(iam_audit_format(&rec, &line), 0);
    j = json_loads(line, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "eventName")), "AssumeRole");
    u = json_object_get(j, "requestParameters");
    assert_string_equal(json_string_value(json_object_get(u, "roleArn")), rec.role_arn);
    assert_string_equal(json_string_value(json_object_get(u, "roleSessionName")), "alice");
    assert_string_equal(json_string_value(json_object_get(u, "sourceIdentity")), "alice");
    u = json_object_get(json_object_get(j, "responseElements"), "assumedRoleUser");
    assert_string_equal(json_string_value(json_object_get(u, "assumedRoleId")), "AROAD:alice");
    /* STS leaves the role's path out of the session's ARN */
    assert_string_equal(json_string_value(json_object_get(u, "arn")),
                        "arn:aws:sts::123456789012:assumed-role/deploy/alice");
    json_decref(j);
    free(line);
    /* refused: no responseElements */
    rec.error_code = "AccessDenied";
    assert_int_equal(iam_audit_format(&rec, &line), 0);
    j = json_loads(line, 0, &je);
    assert_null(json_object_get(j, "responseElements"));
    json_decref(j);
    free(line);

    /* a record of the role session */
    memset(&rec, 0, sizeof(rec));
    rec.event = IAM_AUDIT_SUDO_COMMAND;
    rec.is_iam_user = true;
    rec.user_name = "deploy";
    rec.principal_id = "AROAD";
    rec.arn = "arn:aws:iam::123456789012:role/deploy";
    rec.account_id = "123456789012";
    rec.session_name = rec.source_identity = "alice";
    rec.session_created = 1700000000;
    assert_int_equal(iam_audit_format(&rec, &line), 0);
    j = json_loads(line, 0, &je);
    u = json_object_get(j, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(u, "type")), "AssumedRole");
    assert_string_equal(json_string_value(json_object_get(u, "principalId")), "AROAD:alice");
    assert_string_equal(json_string_value(json_object_get(u, "arn")),
                        "arn:aws:sts::123456789012:assumed-role/deploy/alice");
    ctx = json_object_get(u, "sessionContext");
    assert_string_equal(json_string_value(json_object_get(ctx, "sourceIdentity")), "alice");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ctx, "sessionIssuer"),
                                                          "arn")),
                        "arn:aws:iam::123456789012:role/deploy");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ctx, "attributes"),
                                                          "creationDate")),
                        "2023-11-14T22:13:20Z");
    json_decref(j);
    free(line);

    assert_int_equal(iam_assumed_role_arn("arn:aws-cn:iam::123456789012:role/a/b/web", "bob", arn,
                                          sizeof(arn)),
                     0);
    assert_string_equal(arn, "arn:aws-cn:sts::123456789012:assumed-role/web/bob");
    assert_int_equal(iam_assumed_role_arn("arn:aws:iam::123456789012:user/bob", "x", arn,
                                          sizeof(arn)),
                     -EINVAL);
    assert_int_equal(iam_assumed_role_arn("arn:aws:iam::123456789012:role/web", "bob", arn, 10),
                     -ENOSPC);
}

static void test_append(void **state) {
    char *dir = iamtest_mkdtemp(), *path = NULL, *text;
    struct iam_error e;
    struct stat st;
    size_t len;

    (void)state;
    assert_true(asprintf(&path, "%s/log/audit.jsonl", dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_audit_append(path, "{\"a\":1}", &e), 0);
    assert_int_equal(iam_audit_append(path, "{\"b\":2}", &e), 0);
    text = iamtest_read_file(path, &len);
    assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n");
    free(text);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    *strrchr(path, '/') = '\0';
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    path[strlen(path)] = '/';

    assert_int_equal(iam_audit_append(path, "two\nlines", &e), -EINVAL);
    assert_int_equal(iam_audit_append("relative", "{}", &e), -EINVAL);

    /* A group-writable log is refused; so is a symlink. */
    assert_int_equal(chmod(path, 0620), 0);
    iam_error_init(&e);
    assert_int_equal(iam_audit_append(path, "{}", &e), -EACCES);
    assert_int_equal(chmod(path, 0600), 0);
    {
        char *lnk = NULL;

        assert_true(asprintf(&lnk, "%s/log/link.jsonl", dir) > 0);
        assert_int_equal(symlink(path, lnk), 0);
        assert_int_equal(iam_audit_append(lnk, "{}", &e), -EACCES);
        free(lnk);
    }
    text = iamtest_read_file(path, &len);
    assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n");
    free(text);
    free(path);
    iamtest_rmtree(dir);
    free(dir);
}

static void test_lastused(void **state) {
    char *dir = iamtest_mkdtemp(), svc[65];
    struct iam_error e;
    time_t when = 0;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_lastused_read(dir, "AKIAAAAAAAAAAAAAAAAA", &when, svc, sizeof(svc), &e),
                     -ENOENT);
    assert_int_equal(iam_lastused_record(dir, "AKIAAAAAAAAAAAAAAAAA", "sshd", 1234, &e), 0);
    assert_int_equal(iam_lastused_record(dir, "AKIAAAAAAAAAAAAAAAAA", "su x", 5678, &e), 0);
    assert_int_equal(iam_lastused_read(dir, "AKIAAAAAAAAAAAAAAAAA", &when, svc, sizeof(svc), &e),
                     0);
    assert_int_equal(when, 5678);
    assert_string_equal(svc, "su_x");
    assert_int_equal(iam_lastused_record(dir, "../../etc/passwd", "sshd", 1, &e), -EINVAL);
    assert_int_equal(iam_lastused_record(dir, "AKIAaaaaaaaaaaaaaaaa", "sshd", 1, &e), -EINVAL);
    /* a user's password, by its unique id */
    assert_int_equal(iam_lastused_read_password(dir, "AIDAEXAMPLEUSERID0001", &when, NULL, 0, &e),
                     -ENOENT);
    assert_int_equal(iam_lastused_record_password(dir, "AIDAEXAMPLEUSERID0001", "login", 4321, &e),
                     0);
    assert_int_equal(iam_lastused_read_password(dir, "AIDAEXAMPLEUSERID0001", &when, svc,
                                                sizeof(svc), &e),
                     0);
    assert_int_equal(when, 4321);
    assert_string_equal(svc, "login");
    /* the key of the same name is another record */
    assert_int_equal(iam_lastused_read(dir, "AKIAAAAAAAAAAAAAAAAA", &when, NULL, 0, &e), 0);
    assert_int_equal(when, 5678);
    assert_int_equal(iam_lastused_record_password(dir, "AIDA/../../x", "sshd", 1, &e), -EINVAL);
    assert_int_equal(iam_lastused_record_password(dir, "AKIAAAAAAAAAAAAAAAAA", "sshd", 1, &e),
                     -EINVAL);
    iamtest_rmtree(dir);
    free(dir);
}

/* The record is written in place: a shorter service after a longer one leaves nothing of it;
 * the line earlier versions wrote is still read; a record whose bytes do not match its check
 * (read while a login was writing it, or damaged) is malformed, never a wrong time. */
static void test_lastused_in_place(void **state) {
    char *dir = iamtest_mkdtemp(), svc[65], path[4096], buf[256];
    const char *key = "AKIABBBBBBBBBBBBBBBB";
    char long_svc[65];
    struct iam_error e;
    struct stat st;
    time_t when = 0;
    FILE *f;
    size_t n;

    (void)state;
    memset(long_svc, 'x', 64);
    long_svc[64] = '\0';
    iam_error_init(&e);
    assert_int_equal(iam_lastused_record(dir, key, long_svc, 1796000000, &e), 0);
    assert_int_equal(iam_lastused_read(dir, key, &when, svc, sizeof(svc), &e), 0);
    assert_int_equal(when, 1796000000);
    assert_string_equal(svc, long_svc);
    assert_int_equal(iam_lastused_record(dir, key, "sshd", 1796000001, &e), 0);
    assert_int_equal(iam_lastused_read(dir, key, &when, svc, sizeof(svc), &e), 0);
    assert_int_equal(when, 1796000001);
    assert_string_equal(svc, "sshd");
    snprintf(path, sizeof(path), "%s/" IAM_LASTUSED_DIR "/%s", dir, key);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 103);
    assert_int_equal(st.st_mode & 07777, 0600);
    /* one byte of the time changed: the check catches it */
    f = fopen(path, "r+");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf), f);
    assert_int_equal(n, 103);
    buf[19] = buf[19] == '1' ? '2' : '1';
    rewind(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    iam_error_init(&e);
    assert_int_equal(iam_lastused_read(dir, key, &when, svc, sizeof(svc), &e), -EBADMSG);
    assert_true(e.set);
    /* the one-line form of earlier versions */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("1700000000 login\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(iam_lastused_read(dir, key, &when, svc, sizeof(svc), &e), 0);
    assert_int_equal(when, 1700000000);
    assert_string_equal(svc, "login");
    /* and the next use writes the record over it whole */
    assert_int_equal(iam_lastused_record(dir, key, "su", 1796000002, &e), 0);
    assert_int_equal(iam_lastused_read(dir, key, &when, svc, sizeof(svc), &e), 0);
    assert_int_equal(when, 1796000002);
    assert_string_equal(svc, "su");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 103);
    iamtest_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_lastused),
        cmocka_unit_test(test_lastused_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
