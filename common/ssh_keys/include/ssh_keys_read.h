/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The SSH key cache reader: libc only (iam-authorized-keys links it and nothing else of
 * common/ but the iam.conf parser; pam_iam links it too). Built as the OBJECT library
 * iamsshkeys_reader. The layout is common/ssh_keys/format.h's.
 *
 * It never maps the file: the header, the table lines a probe visits and the one record
 * found are copied with pread() and each piece is checked (hash, bounds) before anything in
 * it is used. A file replaced by rename while open keeps giving the old file's answers; one
 * truncated or rewritten in place gives -EBADMSG, never a signal.
 *
 * Errors: -ENOENT (iam_sshk_open: no file; iam_sshk_find: no such user, or none with an
 * Active key), -EBADMSG damaged (magic, hash, offset, length), -ENOTSUP unknown version,
 * -EACCES unsafe file (symbolic link, not a regular file, not owned by root or extra_owner,
 * writable by group or others), -ENOMEM, or -errno of open/pread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IAM_SSHK_READ_MAX_KEYS 16 /* == IAM_SSHK_MAX_KEYS */

struct iam_sshk;

/* One key, borrowed from the iam_sshk_user it came in: each string is NUL-terminated. */
struct iam_sshk_key_view {
    const char *id;          /* APKA... */
    const char *fingerprint; /* SHA256:... */
    const char *body;        /* "type base64" */
    size_t id_len, fingerprint_len, body_len;
};

struct iam_sshk_user {
    void *record; /* the record's bytes, malloc'd */
    uint32_t uid; /* the IAM user's uid (never 0): give the keys to that account only */
    unsigned n_keys;
    struct iam_sshk_key_view keys[IAM_SSHK_READ_MAX_KEYS];
};

/* Open path (O_NOFOLLOW, O_CLOEXEC), check the file and its header. extra_owner: a second
 * owner to accept besides root, or (uid_t)-1. */
int iam_sshk_open(const char *path, uid_t extra_owner, struct iam_sshk **ret);
void iam_sshk_close(struct iam_sshk *c); /* NULL-safe */

/* Whether size bytes at data, the image of a whole file, have a sound header (magic,
 * version, header hash, the table's bounds, size == the header's file_size): what
 * iam_sshk_open() checks of a file. The rest is checked piece by piece when it is read.
 * 0, -EBADMSG or -ENOTSUP. */
int iam_sshk_check_image(const void *data, size_t size);

/* The store's Serial the file was compiled from; the counts of users with keys and keys. */
uint64_t iam_sshk_serial(const struct iam_sshk *c);
uint32_t iam_sshk_n_users(const struct iam_sshk *c);

/* The Active keys of user name (len bytes, no NUL needed). 0 with *ret filled (release it
 * with iam_sshk_user_free), or -ENOENT, -EBADMSG, -ENOMEM, -errno. */
int iam_sshk_find(struct iam_sshk *c, const char *name, size_t len, struct iam_sshk_user *ret);
void iam_sshk_user_free(struct iam_sshk_user *u); /* NULL-safe, idempotent */

/*
 * Which key sshd is checking, for pam_iam's account phase.
 *
 * sshd (OpenSSH 9.2p1) runs the PAM account phase before it records the method that just
 * succeeded (monitor.c: mm_answer_pam_account, then auth2_update_session_info), so for a
 * public-key login SSH_AUTH_INFO_0 names the key in the session phase only. The account
 * phase learns it from iam-authorized-keys instead: run by sshd with %f, it leaves a record
 * of the key sshd asked about in <cache_dir>/sshd-keys/<pid of the sshd process that runs
 * PAM> (its parent), and pam_iam, in that very process, takes it (reads and removes it).
 *
 * The directory belongs to the AuthorizedKeysCommandUser (the compile creates it 0700 for
 * IAM_SSHK_COMMAND_USER); a record is believed only when the directory is 0700 and the file
 * is a regular file of the directory's owner, at most IAM_SSHK_LOGIN_MAX_AGE seconds old, of
 * the same user, and its fingerprint is one of that user's Active keys in ssh_keys.cache.
 */
#define IAM_SSHK_LOGIN_DIR "sshd-keys"
#define IAM_SSHK_COMMAND_USER "nobody" /* AuthorizedKeysCommandUser of the package's drop-in */
#define IAM_SSHK_LOGIN_MAX_AGE 600     /* sshd's LoginGraceTime is 120 s by default */

struct iam_sshk_login {
    char user[256];
    uint32_t uid;
    char fingerprint[129];
    int64_t time; /* seconds since the epoch */
};

/* Write the record for the sshd process pid (atomically: a temporary name, then rename). */
int iam_sshk_login_write(const char *cache_dir, pid_t pid, const struct iam_sshk_login *l);

/* Read, check and remove the record of process pid. -ENOENT none (or too old: removed),
 * -EACCES unsafe directory or file, -EBADMSG malformed, -errno. */
int iam_sshk_login_take(const char *cache_dir, pid_t pid, int64_t now,
                        struct iam_sshk_login *ret);
