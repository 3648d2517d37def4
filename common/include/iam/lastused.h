/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * When each access key (and each user's password) was last used, for the credential report,
 * get-access-key-last-used and the unused-access findings:
 * <cache_dir>/lastused/<AccessKeyId> holds one line "<epoch seconds> <service>\n".
 *
 * pam_iam records a use after a successful access-key authentication by writing a temp file
 * and renaming it over the old one: no lock, no fsync, nothing that serializes or slows
 * logins; concurrent logins simply race and the last rename wins. Readers see the old or the
 * new line, never a torn one. The directory is created root 0700 when missing.
 */

#include <stddef.h>
#include <time.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_LASTUSED_DIR "lastused"
#define IAM_LASTUSED_SERVICE_MAX 64

int iam_lastused_record(const char *cache_dir, const char *access_key_id, const char *service,
                        time_t when, struct iam_error *reterr) IAM_WUR;

/* -ENOENT when the key was never used; service (may be NULL) gets the service name. */
int iam_lastused_read(const char *cache_dir, const char *access_key_id, time_t *ret_when,
                      char *service, size_t service_size, struct iam_error *reterr) IAM_WUR;

/* The same for a user's login-profile password, by the user's unique id (AIDA...):
 * <cache_dir>/lastused/password-<UserId>, written after each successful password login. */
int iam_lastused_record_password(const char *cache_dir, const char *user_id, const char *service,
                                 time_t when, struct iam_error *reterr) IAM_WUR;
int iam_lastused_read_password(const char *cache_dir, const char *user_id, time_t *ret_when,
                               char *service, size_t service_size,
                               struct iam_error *reterr) IAM_WUR;
