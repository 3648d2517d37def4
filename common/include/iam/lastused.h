/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * When each access key (and each user's password) was last used, for the credential report,
 * get-access-key-last-used and the unused-access findings:
 * <cache_dir>/lastused/<AccessKeyId> holds one record of 103 bytes: the time in epoch seconds
 * (20 digits), a space, the service (space-padded to IAM_LASTUSED_SERVICE_MAX), a space, 16
 * hex digits of a check of what precedes (SipHash-2-4 under a fixed key), "\n". (Earlier
 * versions wrote one line "<epoch seconds> <service>\n"; readers take both.)
 *
 * pam_iam records a use after a successful authentication with one pwrite() of the record
 * over the file, in place: no lock, no fsync, no rename (on ext4 a rename over a file
 * flushes the new file's data at once), nothing that serializes or slows logins; concurrent
 * logins race and the last write wins. A reader that catches a record while it is being
 * written sees its check fail and reads it again. The directory is created root 0700 when
 * missing.
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
