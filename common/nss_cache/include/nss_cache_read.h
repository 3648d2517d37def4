/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The NSS cache reader: libc only (it is linked into libnss_iam.so.2, which every process on
 * the host loads). Built as the OBJECT library iamcache_reader; its symbols are hidden by the
 * module's version script.
 *
 * Threading: a struct iam_nssc is NOT thread-safe (lookups record which blocks they have
 * verified); the caller serializes every call on one handle (nss_iam holds its mutex).
 *
 * Every view returned (struct iam_nssc_str and what holds them) borrows the mapping and stays
 * valid until iam_nssc_unref() drops the last reference. Strings are not guaranteed to be
 * NUL-terminated as far as the caller should care: use ptr + len (the reader checks that the
 * byte after each string is a NUL, but a file modified in place can change that afterwards).
 *
 * Errors: -ENOENT not found, -EBADMSG damaged cache (bad magic, hash, offset...), -ENOTSUP
 * unknown format version, -EACCES unsafe file (symlink, not a regular file, wrong owner,
 * writable by group or others), -ENOMEM, or -errno of open/mmap.
 *
 * What the reader guarantees about the file under it: it never maps the file. The cache is
 * copied block by block (on first use, with pread from a descriptor kept open O_CLOEXEC)
 * into an anonymous mapping of the file's size, and each block is hashed as it arrives. So a
 * cache replaced by rename (how the writer installs it), modified in place, truncated in
 * place, or a descriptor closed or reused by the program, can only give -EBADMSG or the
 * answers of the version already copied: never SIGBUS or SIGSEGV (a shared or private file
 * mapping would die of SIGBUS on truncation: the kernel drops even copied-on-write pages
 * past the new end). Every offset and length is also checked against the validated header
 * (copied at open time) before it is followed, and each value is read once. Memory: only
 * the blocks lookups touched, per process.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct iam_nssc;

struct iam_nssc_str {
    const char *ptr;
    size_t len;
};

struct iam_nssc_pw {
    struct iam_nssc_str name, gecos, home, shell;
    uint32_t uid, gid;
};

struct iam_nssc_gr {
    struct iam_nssc_str name;
    uint32_t gid;
    uint32_t lens;    /* file offset of the n_members name lengths (u8), the names follow */
    uint32_t members; /* file offset of the member names */
    uint32_t n_members;
    uint32_t members_size; /* bytes of the names, NULs included (range checked) */
};

/*
 * Open, check (O_NOFOLLOW; regular file; owned by root, or by extra_owner when that is not
 * (uid_t)-1; not writable by group or others), map and validate the header. The cost does
 * not grow with the cache: data blocks are verified when a lookup first touches them.
 * *ret_cache holds one reference.
 */
int iam_nssc_open(const char *path, uid_t extra_owner, struct iam_nssc **ret_cache);

/* The same checks on an image in memory, which is borrowed (not copied, not freed): for the
 * fuzzer and tests. */
int iam_nssc_open_memory(const void *data, size_t size, struct iam_nssc **ret_cache);

struct iam_nssc *iam_nssc_ref(struct iam_nssc *c);
struct iam_nssc *iam_nssc_unref(struct iam_nssc *c); /* NULL-safe; returns NULL */

/* 1 if the file at path is no longer the one mapped (other inode, size, mtime or ctime, or
 * gone), 0 if it is, checked with one lstat(). */
int iam_nssc_changed(const struct iam_nssc *c, const char *path);

/* True once a block failed its hash: every later lookup on this handle is -EBADMSG. */
bool iam_nssc_is_damaged(const struct iam_nssc *c);

uint32_t iam_nssc_n_users(const struct iam_nssc *c);
uint32_t iam_nssc_n_groups(const struct iam_nssc *c);

int iam_nssc_user_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_pw *ret);
int iam_nssc_user_by_uid(struct iam_nssc *c, uint32_t uid, struct iam_nssc_pw *ret);
int iam_nssc_user_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_pw *ret);

int iam_nssc_group_by_name(struct iam_nssc *c, const char *name, struct iam_nssc_gr *ret);
int iam_nssc_group_by_gid(struct iam_nssc *c, uint32_t gid, struct iam_nssc_gr *ret);
int iam_nssc_group_at(struct iam_nssc *c, uint32_t index, struct iam_nssc_gr *ret);

/* A group's member names, back to back, each ending in NUL: gr->members_size bytes, verified
 * as one range whose last byte is a NUL. How many names it holds is for the caller to count
 * against gr->n_members (a forged file may disagree). */
int iam_nssc_group_member_names(struct iam_nssc *c, const struct iam_nssc_gr *gr,
                                const char **ret_names);
/* The same, with the n_members lengths the writer recorded (each name's length without its
 * NUL). They come from the file: a caller must still check each NUL where a length says. */
int iam_nssc_group_members(struct iam_nssc *c, const struct iam_nssc_gr *gr,
                           const uint8_t **ret_lens, const char **ret_names);

/* The gids of the groups that list name as a member (not counting primary groups). For an
 * IAM user in no group: 0 with *ret_n = 0. -ENOENT when name is neither a user nor listed in
 * any group. */
int iam_nssc_member_gids(struct iam_nssc *c, const char *name, const uint32_t **ret_gids,
                         uint32_t *ret_n);
