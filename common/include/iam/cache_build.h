/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The compile step: every iamctl writer calls iam_compile_caches() after the database was
 * written, and `iamctl compile` calls it on demand. It turns a validated database into the
 * host caches under config->cache_dir (docs/architecture.md, "Files on a host" and "The
 * caches"): nss.cache (names, ids, gecos, home, shell, memberships; private groups when
 * config->private_groups) and auth.cache (secret hashes, tags, groups, effective policies).
 * Both images are built before either file is touched, then installed together as one
 * generation with iam_caches_install() (caches.h). 0 installed; 1 installed, but nscd runs
 * and could not be told (reterr says what to run); -errno on any error, and the last good
 * caches stay in place. */

#include "iam/config.h"
#include "iam/db.h"
#include "iam/error.h"

int iam_compile_caches(const struct iam_config *config, const struct iam_db *db,
                       struct iam_error *reterr) IAM_WUR;
