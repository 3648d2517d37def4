/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Installing a new pair of host caches (nss.cache and auth.cache) in a cache directory so
 * that no reader ever sees one without the other. The one way caches are put in place:
 * iam_compile_caches() installs what it built from the database through it, and so will
 * anything that brings caches built elsewhere (it needs no database).
 *
 * The layout (iam_cache_dir.h):
 *
 *   <cache_dir>/                 root 0755, not writable by group or others
 *     current -> gen.<N>         the switch: a symbolic link replaced by one rename(2)
 *     gen.<N>/                   root 0755: this generation, written whole before the switch
 *       nss.cache                0644
 *       auth.cache               0600
 *     gen.<N-1>/                 the one before, kept for readers that read `current` just
 *                                before the switch; older generations are removed
 *     nss.cache, auth.cache      hard links to current's files, made after the switch
 *     install.lock               one installer at a time
 *
 * One install: take the lock; remove what a crashed install left (generations other than
 * the current one and the one before it, temporary names); write both files into the new
 * gen.<N+1> (created, written, fsync'ed, then the directory fsync'ed); point a temporary link
 * at it and rename it over `current` (atomic), fsync the cache directory; replace the two
 * hard links (link to a temporary name, rename); remove generations older than the previous
 * one; fsync; release the lock.
 *
 * Safety: a reader that reads `current` before the rename opens the old pair, after it the
 * new pair; either way both files come from one generation. A crash before the rename leaves
 * the old pair current (the half-written generation is removed by the next install); after
 * it, the new pair, complete on disk before the link pointed at it. Only root can write the
 * directory, and the readers refuse it (and each generation, and each file) otherwise.
 */

#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_CACHES_LOCK "install.lock"

/*
 * Install the images nss (nss_len bytes, world-readable) and auth (auth_len bytes, root
 * only) as the current caches of cache_dir (created 0755 when missing; refused unless a
 * directory owned by root or the caller, closed to group and other writes). Nothing is
 * checked about the images themselves: the caller built or verified them. *ret_generation
 * (may be NULL) gets the number of the generation now current.
 *
 * When cache_dir is the directory the host's NSS module reads (the cache_dir of the default
 * iam.conf), nscd, if it runs, is then told to drop its passwd and group caches
 * (iam_nscd_invalidate).
 *
 * 0 installed; 1 installed, but nscd runs and could not be told (reterr says what to run);
 * -errno with reterr naming the path, and the previous caches stay current.
 */
int iam_caches_install(const char *cache_dir, const void *nss, size_t nss_len, const void *auth,
                       size_t auth_len, uint64_t *ret_generation, struct iam_error *reterr) IAM_WUR;

/*
 * The same, with what the new generation holds given as a set: each of nss and auth either
 * as an image, or (NULL, with from set) as a hard link to the same file of the generation
 * `from`, which must be the current one when the install takes the lock (-ESTALE otherwise:
 * another install came in between, and the caller makes its images whole); and, when state
 * is set, a third file IAM_CACHES_STATE_NAME (root 0600) that the compile keeps beside its
 * caches (what they were made from, for the next incremental refresh: iam/store_compile.h).
 * Readers never open it.
 */
#define IAM_CACHES_STATE_NAME "compile.state"
struct iam_caches_set {
    const void *nss;
    size_t nss_len;
    const void *auth;
    size_t auth_len;
    const void *state;
    size_t state_len;
    const char *from; /* gen.<N>, or NULL */
    /* Optional, with from: what from's nss.cache and auth.cache hold (their mapped bytes).
     * When an image is an edit of one of them, the spans it has in common with it at the
     * same offsets are copied from that file inside the kernel (copy_file_range) instead of
     * being written from memory; the result is the same bytes. */
    const void *nss_prev;
    size_t nss_prev_len;
    const void *auth_prev;
    size_t auth_prev_len;
};
int iam_caches_install_set(const char *cache_dir, const struct iam_caches_set *set,
                           uint64_t *ret_generation, struct iam_error *reterr) IAM_WUR;

/*
 * Install ssh_keys.cache (iam/ssh_keys.h: public, 0644) in cache_dir, atomically, beside the
 * generations: a file of its own that no reader pairs with the others, so a key made Inactive
 * or deleted stops working once this rename is done. Then make sure <cache_dir>/sshd-keys
 * exists, where iam-authorized-keys (run by sshd as an unprivileged user) notes the key sshd
 * is checking for pam_iam's account phase: made 0700 for that user when missing, left as it
 * is otherwise. 0, or -errno with reterr naming the path.
 */
int iam_caches_install_ssh_keys(const char *cache_dir, const void *data, size_t len,
                                struct iam_error *reterr) IAM_WUR;

/*
 * nscd keeps answers of the host's NSS for minutes (passwd 10, group 60 by default): after
 * the caches changed, ask it to drop its passwd and group caches, as `nscd -i passwd` and
 * `nscd -i group` do. 1 when nscd is not running (nothing to do), 0 when both were
 * invalidated, -errno when nscd runs but could not be told (reterr says what to run).
 */
int iam_nscd_invalidate(struct iam_error *reterr) IAM_WUR;

/* The cache directory the host's NSS module reads: cache_dir of the default iam.conf, or
 * the built-in default when there is no iam.conf. malloc'd; NULL when out of memory or when
 * iam.conf exists but cannot be used (the module then answers UNAVAIL). */
char *iam_caches_nss_dir(void);
