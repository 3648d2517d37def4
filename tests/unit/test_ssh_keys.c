/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ssh_keys.cache: the writer's checks, lookups of every user at a few thousand users (hits
 * and misses), the uid; and the record iam-authorized-keys leaves for pam_iam's account phase:
 * written and taken once, refused when the directory or the file is not as it must be,
 * ignored when too old, swept by the next writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iam/ssh_keys.h"
#include "iamtest.h"
#include "ssh_keys_read.h"

#define N_USERS 3000

static const char *const BODY =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIBHhKPigYYW7TwEQ8Eqn1BOt3N3vlJN2el8DdssTDh47";

static void write_image(const char *path, const void *img, size_t len) {
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0644), 0);
}

static void test_writer_refuses(void **state) {
    struct iam_ssh_key_entry k = {
        .id = "APKAAAAAAAAAAAAAAAAA", .fingerprint = "SHA256:x", .body = BODY};
    struct iam_ssh_keys_user u[2] = {{.name = "alice", .uid = 5000, .keys = &k, .n_keys = 1},
                                     {.name = "alice", .uid = 5001, .keys = &k, .n_keys = 1}};
    struct iam_error e;
    void *img = NULL;
    size_t len;

    (void)state;
    iam_error_init(&e);
    assert_int_equal(iam_ssh_keys_cache_build(u, 2, 1, &img, &len, &e), -EINVAL);
    assert_non_null(strstr(e.text, "twice"));
    u[0].uid = 0;
    iam_error_init(&e);
    assert_int_equal(iam_ssh_keys_cache_build(u, 1, 1, &img, &len, &e), -EINVAL);
    u[0].uid = 5000;
    k.body = "ssh-ed25519  AAAA"; /* two spaces */
    assert_int_equal(iam_ssh_keys_cache_build(u, 1, 1, &img, &len, &e), -EINVAL);
    k.body = "ssh-ed25519 AAAA\nssh-rsa AAAA"; /* a second line */
    assert_int_equal(iam_ssh_keys_cache_build(u, 1, 1, &img, &len, &e), -EINVAL);
    k.body = BODY;
    k.id = "APKA X";
    assert_int_equal(iam_ssh_keys_cache_build(u, 1, 1, &img, &len, &e), -EINVAL);
    assert_null(img);
}

static void test_lookups(void **state) {
    struct iam_ssh_keys_user *users = calloc(N_USERS, sizeof(*users));
    struct iam_ssh_key_entry *keys = calloc(2 * N_USERS, sizeof(*keys));
    char **names = calloc(N_USERS, sizeof(*names)), **ids = calloc(2 * N_USERS, sizeof(*ids));
    char *dir = iamtest_mkdtemp(), path[512], fp[64];
    struct iam_sshk *c = NULL;
    struct iam_error e;
    void *img;
    size_t len;

    (void)state;
    assert_int_equal(iam_ssh_key_fingerprint(BODY, strlen(BODY), fp), 0);
    /* what ssh-keygen -lf prints for this key */
    assert_string_equal(fp, "SHA256:1J/1ivPDxaOKE/h6g4ihADXArFhWiCfkixYdPVSXyzI");
    assert_int_equal(iam_ssh_key_fingerprint("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBHh", 36, fp),
                     -EINVAL); /* the blob says ssh-ed25519 */
    for (size_t i = 0; i < N_USERS; i++) {
        size_t nk = i % 3; /* users without keys are left out */
        assert_true(asprintf(&names[i], "user%zu", i) > 0);
        users[i] = (struct iam_ssh_keys_user){
            .name = names[i], .uid = (uint32_t)(5000 + i), .keys = keys + 2 * i, .n_keys = nk};
        for (size_t k = 0; k < nk; k++) {
            assert_true(asprintf(&ids[2 * i + k], "APKA%016zu", 2 * i + k) > 0);
            keys[2 * i + k] =
                (struct iam_ssh_key_entry){.id = ids[2 * i + k], .fingerprint = fp, .body = BODY};
        }
    }
    iam_error_init(&e);
    assert_int_equal(iam_ssh_keys_cache_build(users, N_USERS, 42, &img, &len, &e), 0);
    snprintf(path, sizeof(path), "%s/%s", dir, IAM_SSH_KEYS_CACHE_NAME);
    write_image(path, img, len);
    free(img);
    assert_int_equal(iam_sshk_open(path, getuid(), &c), 0);
    assert_int_equal(iam_sshk_serial(c), 42);
    assert_int_equal(iam_sshk_n_users(c), N_USERS - N_USERS / 3);
    for (size_t i = 0; i < N_USERS; i++) {
        struct iam_sshk_user u;
        int r = iam_sshk_find(c, names[i], strlen(names[i]), &u);

        if (i % 3 == 0) {
            assert_int_equal(r, -ENOENT);
            continue;
        }
        assert_int_equal(r, 0);
        assert_int_equal(u.uid, 5000 + i);
        assert_int_equal(u.n_keys, i % 3);
        for (unsigned k = 0; k < u.n_keys; k++) {
            assert_string_equal(u.keys[k].id, ids[2 * i + k]);
            assert_string_equal(u.keys[k].body, BODY);
            assert_string_equal(u.keys[k].fingerprint, fp);
        }
        iam_sshk_user_free(&u);
    }
    {
        struct iam_sshk_user u;
        assert_int_equal(iam_sshk_find(c, "user1x", 6, &u), -ENOENT);
        assert_int_equal(iam_sshk_find(c, "user1", 4, &u), -ENOENT); /* "user" */
        assert_int_equal(iam_sshk_find(c, "", 0, &u), -ENOENT);
    }
    iam_sshk_close(c);
    /* a file others can write, or a symbolic link, is refused */
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(iam_sshk_open(path, getuid(), &c), -EACCES);
    for (size_t i = 0; i < N_USERS; i++)
        free(names[i]);
    for (size_t i = 0; i < 2 * N_USERS; i++)
        free(ids[i]);
    free(names);
    free(ids);
    free(users);
    free(keys);
    iamtest_rmtree(dir);
    free(dir);
}

static void record_dir(const char *top, mode_t mode, char *out, size_t size) {
    snprintf(out, size, "%s/" IAM_SSHK_LOGIN_DIR, top);
    (void)mkdir(out, 0700);
    assert_int_equal(chmod(out, mode), 0);
}

static void test_login_record(void **state) {
    struct iam_sshk_login l = {.user = "alice", .uid = 5000, .fingerprint = "SHA256:abc"}, got;
    char *top = iamtest_mkdtemp(), dir[512], path[600];
    int64_t now = (int64_t)time(NULL);
    struct stat st;

    (void)state;
    l.time = now;
    record_dir(top, 0700, dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/4242", dir);
    assert_int_equal(iam_sshk_login_write(top, 4242, &l), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), 0);
    assert_string_equal(got.user, "alice");
    assert_string_equal(got.fingerprint, "SHA256:abc");
    assert_int_equal(got.uid, 5000);
    /* taken once: the next process with this pid finds nothing */
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -ENOENT);
    /* too old: ignored and removed */
    assert_int_equal(iam_sshk_login_write(top, 4242, &l), 0);
    assert_int_equal(iam_sshk_login_take(top, 4242, now + IAM_SSHK_LOGIN_MAX_AGE + 1, &got),
                     -ENOENT);
    assert_int_not_equal(stat(path, &st), 0);
    /* a directory others can enter is not believed */
    assert_int_equal(iam_sshk_login_write(top, 4242, &l), 0);
    record_dir(top, 0755, dir, sizeof(dir));
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -EACCES);
    record_dir(top, 0700, dir, sizeof(dir));
    /* a file others can write, a symbolic link, a malformed record */
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -EACCES);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -EACCES);
    assert_int_equal(unlink(path), 0);
    free(iamtest_write_file(dir, "4242", "v1 alice 5000\n", 14, 0600));
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -EBADMSG);
    free(iamtest_write_file(dir, "4242", "v1 alice 0 SHA256:x 1\n", 22, 0600));
    assert_int_equal(iam_sshk_login_take(top, 4242, now, &got), -EBADMSG);
    /* names that cannot be a record's */
    strcpy(l.user, "al ice");
    assert_int_equal(iam_sshk_login_write(top, 4242, &l), -EINVAL);
    /* a writer sweeps records nobody took once they are too old */
    strcpy(l.user, "alice");
    free(iamtest_write_file(dir, "777", "v1 alice 5000 SHA256:abc 1\n", 27, 0600));
    {
        struct timespec old[2] = {{.tv_sec = now - IAM_SSHK_LOGIN_MAX_AGE - 60},
                                  {.tv_sec = now - IAM_SSHK_LOGIN_MAX_AGE - 60}};
        char p777[600];
        snprintf(p777, sizeof(p777), "%s/777", dir);
        assert_int_equal(utimensat(AT_FDCWD, p777, old, 0), 0);
        assert_int_equal(iam_sshk_login_write(top, 4243, &l), 0);
        assert_int_not_equal(stat(p777, &st), 0);
    }
    iamtest_rmtree(top);
    free(top);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_refuses),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_login_record),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
