/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/error.h"
#include "pull_private.h"

struct pull_outcome {
    enum pull_refusal refusal; /* PULL_OK: installed, or already current */
    bool installed;
    uint64_t serial;                  /* the Serial installed now (0: none) */
    char warning[IAM_ERROR_TEXT_MAX]; /* installed, but something to tell (nscd) */
};

/* Fetch, verify and install the bundle of c->bundle_url. 0 when the host now has the
 * newest bundle (installed now or before); -EPERM with out->refusal and reterr when refused
 * (then audited, and the installed caches are untouched). progress: lines on stderr. */
int pull_bundle(const struct iam_config *c, bool progress, struct pull_outcome *out,
                struct iam_error *reterr);

/* What only this host can know (host_check.c): no bundled user or group on a local
 * account's name or id, every id in this host's uid_min..uid_max (a primary gid equal to
 * default_gid aside), no privileged group name unless allowed. PULL_OK, or PULL_HOST_CHECK
 * naming the first entry (the whole bundle is refused), or PULL_LOCAL. */
enum pull_refusal pull_host_check(const struct iam_config *c, const void *nss, size_t nss_len,
                                  struct iam_error *reterr);
