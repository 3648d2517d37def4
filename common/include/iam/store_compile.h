/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The compile of the host caches from the store: every iamctl writer runs it after its
 * commit (under the writers' lock, so the caches follow the commits in order), and `iamctl
 * compile` on demand. It turns the account into <cache_dir>/nss.cache (names, ids, gecos,
 * home, shell, memberships; private groups when config->private_groups), auth.cache
 * (secrets' hashes, tags, groups and effective policies of every user) and ssh_keys.cache
 * (every user's Active SSH public keys, iam/ssh_keys.h). All images are built before any
 * file is touched; nss.cache and auth.cache are then installed together as one generation
 * with iam_caches_install() (caches.h), which also tells a running nscd to forget what it
 * remembers, and ssh_keys.cache is replaced atomically beside them. 0 installed; 1
 * installed, but nscd runs and could not be told (reterr says what to run); -errno on any
 * error, and the last good caches stay in place (after an error writing ssh_keys.cache, the
 * new generation is in place and the key cache is the last good one). Call it inside a read
 * transaction (iam_store_begin(st, false)), so it sees one committed state. */

#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/error.h"
#include "iam/store.h"

int iam_store_compile(struct iam_store *st, const struct iam_config *config,
                      struct iam_error *reterr) IAM_WUR;

/* The caches after a write transaction that changed what changes says (iam_store_changes(),
 * copied before the commit; the transaction committed Serial serial), the same as
 * iam_store_compile() would install (the same entries and answers; nss.cache, when patched,
 * not the same bytes), in less time: from the current generation's caches and the rows of the
 * users and groups that changed, when that generation is the compile of the Serial before (its
 * state file says so) with today's iam.conf, and the changes are a few users' and groups'
 * (nss.cache is linked unchanged when no passwd or group line moved, patched in place when it
 * can be: iam_nss_cache_patch(), else built whole from the previous one's entries); otherwise,
 * or when anything of that does not hold, by iam_store_compile(). Same returns, same
 * transaction needs. *ret_how (may be NULL) gets "incremental" (nss.cache unchanged),
 * "incremental, nss.cache patched", "incremental, nss.cache rebuilt", or why the whole compile
 * ran (a static string). */
int iam_store_refresh(struct iam_store *st, const struct iam_config *config,
                      const struct iam_store_changes *changes, uint64_t serial,
                      const char **ret_how, struct iam_error *reterr) IAM_WUR;

/* The images of the caches as the compile builds them, and the store's Serial they are of;
 * nothing written. For publishing them elsewhere (iamctl publish). Call it inside a read
 * transaction, as iam_store_compile(). */
struct iam_cache_images {
    void *nss;
    size_t nss_len;
    void *auth; /* holds secret hashes: iam_cache_images_free() wipes it */
    size_t auth_len;
    void *ssh_keys; /* ssh_keys.cache (iam/ssh_keys.h): public, installed beside the pair */
    size_t ssh_keys_len;
    uint64_t serial;
};
int iam_store_compile_images(struct iam_store *st, const struct iam_config *config,
                             struct iam_cache_images *ret, struct iam_error *reterr) IAM_WUR;
void iam_cache_images_free(struct iam_cache_images *img); /* NULL-safe; wipes auth */
