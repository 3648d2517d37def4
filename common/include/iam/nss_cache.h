/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The NSS cache writer (part of libiamcore).
 *
 * iamctl compiles the identity database into plain structs and hands them here; this writes
 * <cache_dir>/nss.cache, the file libnss_iam.so.2 maps. The writer never trusts its input:
 * whatever the database holds, a cache that would show a corrupt passwd or group line is
 * refused with -EINVAL and nothing is written.
 *
 * Rules checked (each violation is -EINVAL with the offending entry named in reterr->text):
 *   - names (users, groups, members): 1..IAM_NSS_NAME_MAX bytes; no ':' ',' '/' whitespace
 *     or control characters (bytes < 0x21 and 0x7f); not starting with '-' or '+' (NIS
 *     compat syntax); not all digits (would be taken for an id by chown, ls, ps); not "."
 *     or "..".
 *   - gecos, home, shell: at most IAM_NSS_FIELD_MAX bytes; no ':', newline or control
 *     characters (',' is allowed in gecos: it separates gecos subfields). home and shell,
 *     when not empty, must be absolute paths.
 *   - ids: not 0 (root), not 65535 and not 4294967295 ((uid_t)-1 and its 16-bit form).
 *   - no two users with the same name or the same uid; no two groups with the same name or
 *     the same gid; no member listed twice in one group. A user and a group may share a name
 *     and an id (Debian's private groups: the database passes them as ordinary groups).
 * Members need not be IAM users (a group may list a local account); initgroups finds groups
 * by member name.
 *
 * Sizes over the format's limits (more than IAM_NSS_MAX_ENTRIES users or groups, a file over
 * 2 GiB) are -E2BIG.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_NSS_NAME_MAX 255
#define IAM_NSS_FIELD_MAX 4095
#define IAM_NSS_MAX_ENTRIES 16777216u

struct iam_nss_user {
    const char *name;
    uid_t uid;
    gid_t gid;         /* primary group */
    const char *gecos; /* NULL = "" */
    const char *home;  /* NULL = "" */
    const char *shell; /* NULL = "" */
};

struct iam_nss_group {
    const char *name;
    gid_t gid;
    const char *const *members; /* user names; may be NULL when n_members == 0 */
    size_t n_members;
};

/*
 * Build the cache image in memory (no file is touched). *ret_data is malloc'd, *ret_size its
 * length. Returns 0, -EINVAL (bad entry, see reterr), -E2BIG or -ENOMEM.
 */
int iam_nss_cache_build(const struct iam_nss_user *users, size_t n_users,
                        const struct iam_nss_group *groups, size_t n_groups, void **ret_data,
                        size_t *ret_size, struct iam_error *reterr) IAM_WUR;

/* The same with the hash seed given (iam_nss_cache_build() draws a random one): the image is
 * a function of its input and the seed, so a build from the same entries with the seed of an
 * earlier image gives the same bytes. */
int iam_nss_cache_build_seeded(const struct iam_nss_user *users, size_t n_users,
                               const struct iam_nss_group *groups, size_t n_groups,
                               uint64_t seed, void **ret_data, size_t *ret_size,
                               struct iam_error *reterr) IAM_WUR;

/* An image read back into the entries it was built from, in their order (users; groups with
 * their members), and its seed: building them with iam_nss_cache_build_seeded() and that seed
 * gives the image again. The strings point into the image, which must outlive them. The
 * header, the block hashes and every record's bounds are checked: -EBADMSG (reterr says
 * what) when the image is damaged, -ENOMEM. */
struct iam_nss_decoded {
    struct iam_nss_user *users;
    size_t n_users;
    struct iam_nss_group *groups;
    size_t n_groups;
    const char **members; /* the groups' member arrays, one allocation */
    uint64_t seed;
};
int iam_nss_cache_decode(const void *img, size_t len, struct iam_nss_decoded *ret,
                         struct iam_error *reterr) IAM_WUR;
void iam_nss_decoded_free(struct iam_nss_decoded *d); /* NULL-safe */
/* The header and every block hash of an image checked, as the reader checks them: 0, or
 * -EBADMSG (reterr says what). */
int iam_nss_cache_check(const void *img, size_t len, struct iam_error *reterr) IAM_WUR;
/* The numbers of users and groups of an image (its header, not checked further): 0, or
 * -EBADMSG. */
int iam_nss_cache_counts(const void *img, size_t len, size_t *ret_users, size_t *ret_groups) IAM_WUR;
/* The seed of an image (to build the next one with it): 0, or -EBADMSG. */
int iam_nss_cache_seed_of(const void *img, size_t len, uint64_t *ret_seed) IAM_WUR;

/*
 * The image prev (a previous build or patch) with a few users and groups changed or added,
 * without building it whole: the result holds what iam_nss_cache_build_seeded() would give
 * for the previous entries with these put in (a changed entry in its place, found by name;
 * new users after the others; each new group before the previous image's group at position
 * group_at[i], or after all of them when group_at is NULL; group members as given, and each
 * user's groups following from them), with prev's seed -- the same answers to every lookup
 * and the same enumeration order, though not the same bytes: records are patched in the room
 * a build leaves for it. prev is checked as the reader checks it (-EBADMSG when damaged).
 * img is prev_len writable bytes other than prev's holding a copy of prev (a private writable
 * mapping of prev's file copies only the pages the patch writes): the image is patched there.
 * Returns 0 (img is the new image, the same length); 1 when the change is not one a patch
 * makes -- a new entry whose name or id is taken, a changed one that is absent or whose id
 * changed, a member name that is not a user, an entry the rules above refuse, no room left --
 * and the caller builds the image whole; -EINVAL, -EBADMSG or -ENOMEM. Unless 0, img holds
 * no image.
 */
struct iam_nss_patch {
    const struct iam_nss_user *users; /* changed or new */
    size_t n_users;
    const bool *user_is_new;            /* per user: new (its name must be free), or changed */
    const struct iam_nss_group *groups; /* changed (with all their members now) or new */
    size_t n_groups;
    const bool *group_is_new;
    const uint32_t *group_at; /* per group (read for new ones, non-decreasing), or NULL */
};
int iam_nss_cache_patch(const void *prev, size_t prev_len, void *img,
                        const struct iam_nss_patch *patch, struct iam_error *reterr) IAM_WUR;

/*
 * Build and atomically install the cache at path: a temporary file in the same directory
 * (O_EXCL, mode 0644 whatever the umask, owned by the caller: root in production), written,
 * fsync'ed, renamed over path, and the directory fsync'ed. Readers that have the old cache
 * mapped keep a valid view of it; the file is never rewritten in place. On any error the old
 * cache stays and no temporary file is left behind. reterr->source is set to path.
 * Returns 0, -EINVAL, -E2BIG, -ENOMEM, or -errno of the failing system call.
 */
int iam_nss_cache_write(const char *path, const struct iam_nss_user *users, size_t n_users,
                        const struct iam_nss_group *groups, size_t n_groups,
                        struct iam_error *reterr) IAM_WUR;

/* The name rule above, for callers that want to check a name before compiling: 0 or -EINVAL. */
int iam_nss_name_valid(const char *name) IAM_WUR;
