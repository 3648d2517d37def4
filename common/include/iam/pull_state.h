/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What a host that pulls its account (bundle_url in iam.conf) remembers between pulls, in
 * <cache_dir>/pull.state (root 0600, replaced atomically), so it survives reboots:
 *
 *   iam-pull-state 1
 *   url <bundle_url the rest is about>
 *   highest_serial <N>        the highest Serial ever accepted: anything lower is a rollback
 *   installed_serial <N>      the bundle whose caches are installed (0: none yet)
 *   installed_created <epoch> its manifest's Created (a renewed manifest moves it on)
 *   installed_expires <epoch> its manifest's Expires
 *   installed_nss <hex>       SHA-256 of the installed bundle's files, as served
 *   installed_auth <hex>
 *   installed_ssh <hex>
 *   etag <value>              the manifest's ETag, for a conditional GET (optional)
 *   last_check <epoch>        the last time the origin answered (optional)
 *
 * pull writes highest_serial before it installs, and the installed_* lines after, so a crash
 * between the two can neither forget the Serial nor claim caches it did not install.
 * pam_iam reads installed_created when bundle_max_age is set.
 */

#include <stdbool.h>
#include <stdint.h>

#include "iam/config.h"
#include "iam/error.h"
#include "iam/macros.h"

#define IAM_PULL_STATE_NAME "pull.state"

struct iam_pull_state {
    char url[2049];
    uint64_t highest_serial;
    uint64_t installed_serial;
    int64_t installed_created, installed_expires;
    uint8_t installed_nss[32], installed_auth[32], installed_ssh[32];
    char etag[256];
    int64_t last_check;
};

/* Read <cache_dir>/pull.state: -ENOENT when there is none (a host that never pulled),
 * -EACCES when unsafe (not a regular root-owned file closed to group and others), -EBADMSG
 * when damaged; reterr names the file and line. */
int iam_pull_state_read(const char *cache_dir, struct iam_pull_state *ret,
                        struct iam_error *reterr) IAM_WUR;
/* Replace it atomically (root 0600). */
int iam_pull_state_write(const char *cache_dir, const struct iam_pull_state *st,
                         struct iam_error *reterr) IAM_WUR;

/* bundle_max_age: 0 when it is not set, or the installed bundle was signed no longer than
 * bundle_max_age before now; -ESTALE (reterr says when it was signed and what to run) when
 * it is older, or no bundle was ever installed; the read's error when the state cannot be
 * read. Whoever decides for IAM users fails closed on any non-zero result. */
int iam_pull_check_fresh(const struct iam_config *c, int64_t now, struct iam_error *reterr) IAM_WUR;
