/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The cache directory and its generations (libc only: linked into libnss_iam.so.2 as well as
 * into pam_iam and iamctl).
 *
 * iam_caches_install() (iam/caches.h) writes each new pair of caches into a directory of its
 * own, <cache_dir>/gen.<16 hex digits>, and then switches the symbolic link
 * <cache_dir>/current to it with one rename(2): the pair changes at one instant. Readers open
 * both through `current`, so no reader sees an nss.cache without the auth.cache compiled with
 * it. <cache_dir>/nss.cache and <cache_dir>/auth.cache stay the paths of the current caches,
 * as hard links into the current generation (updated right after the switch), for tools and
 * for modules loaded before this layout existed.
 *
 * A reader never follows a symbolic link it has not checked: `current` must name
 * "gen.<16 hex digits>" in the same directory (so it cannot point elsewhere), the cache
 * directory and the generation directory must be directories owned by root (or extra_owner)
 * and not writable by group or others, and the cache file is opened O_NOFOLLOW and must be a
 * regular file owned by root (or extra_owner) and not writable by group or others; each
 * reader adds its own rule on read permission. A directory without `current` (caches written
 * by an older version, or a single file a test made) is read as before: <dir>/<name> itself,
 * opened O_NOFOLLOW, with the same file checks.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define IAM_CACHE_CURRENT "current"
#define IAM_CACHE_GEN_PREFIX "gen."
#define IAM_CACHE_GEN_NAME_LEN 20 /* "gen." + 16 hex digits */
#define IAM_CACHE_NSS_NAME "nss.cache"
#define IAM_CACHE_AUTH_NAME "auth.cache"

/* A long-running reader (the NSS module in sshd, systemd or nscd) looks for a new generation
 * at most this often (CLOCK_MONOTONIC_COARSE), so it answers from the old one for up to this
 * long after a switch. */
#define IAM_CACHE_RECHECK_NS INT64_C(1000000000)

/* "gen.%016llx" of n, NUL-terminated. */
void iam_cache_gen_name(uint64_t n, char out[IAM_CACHE_GEN_NAME_LEN + 1]);
/* Parse a generation name (len bytes, no NUL needed): true and *ret_n when it is one. */
bool iam_cache_gen_parse(const char *s, size_t len, uint64_t *ret_n);

/* A directory or file the readers may trust: the right type, owned by root or by extra_owner
 * (when that is not (uid_t)-1), not writable by group or others. */
bool iam_cache_stat_ok(const struct stat *st, bool want_dir, uid_t extra_owner);

/*
 * Open the cache file that path (<dir>/<name>) names: through <dir>/current when the
 * directory has one, else <dir>/<name> itself. On success *ret_fd is the open file (O_RDONLY,
 * O_CLOEXEC) and *ret_st its fstat. A generation removed between reading `current` and
 * opening (a reader that slept through two installs) is retried a few times.
 * -ENOENT missing, -EACCES unsafe (symbolic link, wrong type, owner or mode, a `current` that
 * is not a well-formed link), -ENAMETOOLONG, or -errno of open.
 */
int iam_cache_open(const char *path, uid_t extra_owner, int *ret_fd, struct stat *ret_st);
/* The same, and ret_cur (size bytes) gets the path of the file opened, as
 * iam_cache_current_path() gives it: with *ret_st, the key a later change check compares
 * against (no second lookup of `current` to make it). */
int iam_cache_open_current(const char *path, uid_t extra_owner, int *ret_fd, struct stat *ret_st,
                           char *ret_cur, size_t size);

/* The path of the file that path names at this moment, without opening anything (one
 * readlink): "<dir>/gen.N/<name>", or path itself in a directory without `current`.
 * For change checks. -errno when `current` cannot be read or is not well formed. */
int iam_cache_current_path(const char *path, char *buf, size_t size);
