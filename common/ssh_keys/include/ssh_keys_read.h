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

/* The store's Serial the file was compiled from; the counts of users with keys and keys. */
uint64_t iam_sshk_serial(const struct iam_sshk *c);
uint32_t iam_sshk_n_users(const struct iam_sshk *c);

/* The Active keys of user name (len bytes, no NUL needed). 0 with *ret filled (release it
 * with iam_sshk_user_free), or -ENOENT, -EBADMSG, -ENOMEM, -errno. */
int iam_sshk_find(struct iam_sshk *c, const char *name, size_t len, struct iam_sshk_user *ret);
void iam_sshk_user_free(struct iam_sshk_user *u); /* NULL-safe, idempotent */
