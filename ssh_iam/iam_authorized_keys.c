/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam-authorized-keys: sshd's AuthorizedKeysCommand. Prints the Active SSH public keys of an
 * IAM user, one authorized_keys line each ("type base64 APKA..."), from
 * <cache_dir>/ssh_keys.cache, a public cache the compile writes; never the store.
 *
 *   iam-authorized-keys [--config FILE] [--uid UID] [--fingerprint FP] USER
 *
 * sshd runs it as AuthorizedKeysCommandUser (an unprivileged user) with
 * `--uid %U --fingerprint %f %u`: the keys are printed only when the account sshd is logging
 * in is the IAM user's (same uid), so a local account that shares a name with an IAM user
 * never takes that user's keys. Without --uid the account is looked up (getpwnam, so NSS as
 * the host has it). With --fingerprint (the key sshd is checking), when that key is one of
 * the keys printed, it leaves a record for pam_iam's account phase in the same sshd process
 * (ssh_keys_read.h, "Which key sshd is checking"): sshd tells PAM which key it accepted only
 * after the account phase.
 *
 * Exit status: 0 with the keys, or with nothing for a user IAM does not know, one without
 * Active keys, or an account that is not the IAM user's; 1 when iam.conf or the cache cannot
 * be used (sshd then offers no key of ours); 2 for a bad command line. Messages go to
 * standard error, which sshd logs.
 *
 * Links libc, the cache reader and the iam.conf parser only: sshd runs it for every key
 * offered, so it starts in well under a millisecond (tests/bench/bench_ssh_keys.c).
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iam/config.h"
#include "iam/ssh_keys.h"
#include "ssh_keys_read.h"

#define PROG "iam-authorized-keys"
#define EXIT_UNUSABLE 1
#define EXIT_USAGE 2

static int usage(void) {
    fprintf(stderr, "usage: " PROG " [--config FILE] [--uid UID] [--fingerprint FP] USER\n");
    return EXIT_USAGE;
}

/* All of buf to stdout; -errno on failure (sshd closed the pipe: EPIPE). */
static int write_all(const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int parse_uid(const char *s, uid_t *ret) {
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v >= UINT32_MAX)
        return -EINVAL;
    *ret = (uid_t)v;
    return 0;
}

/* The uid of the account sshd logs in: --uid, or NSS. -ENOENT when there is none. */
static int account_uid(const char *user, bool have_uid, uid_t uid, uid_t *ret) {
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (have_uid) {
        *ret = uid;
        return 0;
    }
    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
        return -ENOENT;
    *ret = res->pw_uid;
    return 0;
}

static int print_keys(const char *user, const struct iam_sshk_user *u) {
    size_t len = 0, pos = 0;
    char *out;
    int r;

    for (unsigned k = 0; k < u->n_keys; k++)
        len += u->keys[k].body_len + 1 + u->keys[k].id_len + 1;
    out = malloc(len + 1);
    if (!out) {
        fprintf(stderr, PROG ": out of memory\n");
        return EXIT_UNUSABLE;
    }
    for (unsigned k = 0; k < u->n_keys; k++) {
        const struct iam_sshk_key_view *v = &u->keys[k];

        memcpy(out + pos, v->body, v->body_len);
        pos += v->body_len;
        out[pos++] = ' ';
        memcpy(out + pos, v->id, v->id_len);
        pos += v->id_len;
        out[pos++] = '\n';
    }
    r = write_all(out, pos);
    free(out);
    if (r < 0) {
        fprintf(stderr, PROG ": cannot write the keys of %.64s: %s\n", user, strerror(-r));
        return EXIT_UNUSABLE;
    }
    return 0;
}

/* The key sshd is checking, when it is one of the user's: a record for pam_iam in the sshd
 * process that asked (our parent). A failure costs the login nothing but the key's id in the
 * account phase: said on standard error. */
static void note_key(const char *cache_dir, const char *user, const struct iam_sshk_user *u,
                     const char *fingerprint) {
    struct iam_sshk_login l = {.uid = u->uid, .time = (int64_t)time(NULL)};
    int r;

    for (unsigned k = 0; k < u->n_keys; k++) {
        if (strcmp(u->keys[k].fingerprint, fingerprint) != 0)
            continue;
        if (strlen(user) >= sizeof(l.user) || strlen(fingerprint) >= sizeof(l.fingerprint))
            return;
        memcpy(l.user, user, strlen(user) + 1);
        memcpy(l.fingerprint, fingerprint, strlen(fingerprint) + 1);
        r = iam_sshk_login_write(cache_dir, getppid(), &l);
        if (r < 0)
            fprintf(stderr, PROG ": cannot note key %s of %.64s for pam_iam: %s\n",
                    u->keys[k].id, user, strerror(-r));
        return;
    }
}

int main(int argc, char *argv[]) {
    const char *config_path = IAM_CONFIG_DEFAULT_PATH, *user = NULL, *fingerprint = NULL;
    struct iam_config *config = NULL;
    struct iam_sshk *cache = NULL;
    struct iam_sshk_user keys = {0};
    struct iam_error e;
    char path[PATH_MAX], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    bool have_uid = false;
    uid_t want_uid = 0, uid;
    int r, ret = EXIT_UNUSABLE;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        } else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc) {
            if (parse_uid(argv[++i], &want_uid) < 0)
                return usage();
            have_uid = true;
        } else if (strncmp(argv[i], "--uid=", 6) == 0) {
            if (parse_uid(argv[i] + 6, &want_uid) < 0)
                return usage();
            have_uid = true;
        } else if (strcmp(argv[i], "--fingerprint") == 0 && i + 1 < argc) {
            fingerprint = argv[++i];
        } else if (strncmp(argv[i], "--fingerprint=", 14) == 0) {
            fingerprint = argv[i] + 14;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            (void)usage();
            return 0;
        } else if (strcmp(argv[i], "--") == 0 && i + 2 == argc) {
            user = argv[++i];
        } else if (argv[i][0] == '-' || user) {
            return usage();
        } else {
            user = argv[i];
        }
    }
    if (!user || !config_path[0])
        return usage();

    iam_error_init(&e);
    if (iam_config_load(config_path, &config, &e) < 0) {
        fprintf(stderr, PROG ": cannot use %s: %s\n", config_path,
                iam_error_format(&e, msg, sizeof(msg)));
        goto out;
    }
    if (snprintf(path, sizeof(path), "%s/" IAM_SSH_KEYS_CACHE_NAME, config->cache_dir) >=
        (int)sizeof(path)) {
        fprintf(stderr, PROG ": cache_dir is too long\n");
        goto out;
    }
    if ((r = iam_sshk_open(path, geteuid(), &cache)) < 0) {
        fprintf(stderr, PROG ": cannot use %s: %s%s\n", path, strerror(-r),
                r == -ENOENT ? " (run `iamctl compile` as root)" : "");
        goto out;
    }
    r = iam_sshk_find(cache, user, strlen(user), &keys);
    if (r == -ENOENT) {
        ret = 0; /* not an IAM user, or no Active key: nothing to print */
        goto out;
    }
    if (r < 0) {
        fprintf(stderr, PROG ": cannot read %s: %s (run `iamctl compile` as root)\n", path,
                strerror(-r));
        goto out;
    }
    if (account_uid(user, have_uid, want_uid, &uid) < 0 || uid != keys.uid) {
        fprintf(stderr, PROG ": the account %.64s is not the IAM user's (uid %u): no keys\n", user,
                (unsigned)keys.uid);
        ret = 0;
        goto out;
    }
    ret = print_keys(user, &keys);
    if (ret == 0 && fingerprint)
        note_key(config->cache_dir, user, &keys, fingerprint);
out:
    iam_sshk_user_free(&keys);
    iam_sshk_close(cache);
    iam_config_free(config);
    return ret;
}
