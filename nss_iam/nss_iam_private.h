/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of libnss_iam.so.2 (hidden: the version script exports only _nss_iam_*). */

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

#include "nss_cache_read.h"

/* The cache file does not exist: UNAVAIL with errno ENOENT (never NOTFOUND, which would
 * tell glibc that the user does not exist). */
#define IAM_NSS_NO_CACHE (-ENOMEDIUM)

/* status.c: the one place where -errno becomes an NSS status (docs/architecture.md, "NSS
 * status"). */
enum nss_status iam_nss_status(int r, int *ret_errno);

/* pack.c: copy a cache view into the caller's buffer; -ERANGE (nothing written to *ret) when
 * it is too short, -EBADMSG when the cache is inconsistent. */
int iam_nss_pack_passwd(const struct iam_nssc_pw *pw, struct passwd *ret, char *buf, size_t buflen);
int iam_nss_pack_group(struct iam_nssc *c, const struct iam_nssc_gr *gr, struct group *ret,
                       char *buf, size_t buflen);

/* cache.c: the process-wide mapping and getent cursors, behind one mutex. */
int iam_nss_getpwnam(const char *name, struct passwd *pwd, char *buf, size_t buflen);
int iam_nss_getpwuid(uid_t uid, struct passwd *pwd, char *buf, size_t buflen);
int iam_nss_getgrnam(const char *name, struct group *grp, char *buf, size_t buflen);
int iam_nss_getgrgid(gid_t gid, struct group *grp, char *buf, size_t buflen);
int iam_nss_setpwent(void);
int iam_nss_getpwent(struct passwd *pwd, char *buf, size_t buflen);
void iam_nss_endpwent(void);
int iam_nss_setgrent(void);
int iam_nss_getgrent(struct group *grp, char *buf, size_t buflen);
void iam_nss_endgrent(void);
int iam_nss_initgroups(const char *user, gid_t skip, long int *start, long int *size,
                       gid_t **groupsp, long int limit);
