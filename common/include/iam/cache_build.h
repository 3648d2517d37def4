/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The compile step: every iamctl writer calls iam_compile_caches() after the database was
 * written, and `iamctl compile` calls it on demand. It turns a validated database into the
 * host caches under config->cache_dir (docs/architecture.md, "Files on a host" and "The
 * caches"): nss.cache (names, ids, gecos, home, shell, memberships; private groups when
 * config->private_groups) and auth.cache (secret hashes, tags, groups, effective policies).
 * Both images are built before either file is touched, then each is replaced atomically,
 * auth.cache first; on any error the last good caches stay in place and the error is
 * returned (the database write it follows still stands). */

#include "iam/config.h"
#include "iam/db.h"
#include "iam/error.h"

/* cache_dir must exist as a directory owned by root (or us) and not writable by others;
 * created 0755 when missing (the nss cache in it is world-readable by design). Used by every
 * compile of the caches, from a loaded database model or from the store. */
int iam_cache_dir_ensure(const char *dir, struct iam_error *reterr) IAM_WUR;

int iam_compile_caches(const struct iam_config *config, const struct iam_db *db,
                       struct iam_error *reterr) IAM_WUR;
