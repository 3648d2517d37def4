/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libnss_iam.so.2: IAM users and groups for glibc, from the compiled NSS cache.
 * Only the _nss_iam_* entry points live here. Each one saves errno, does its work through
 * cache.c, maps the result in status.c, restores errno and writes *errnop last (on
 * failure only: on success glibc does not read it, and it is often &errno itself).
 * Silent by design: this code runs inside every process on the host.
 */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>

#include "nss_iam_private.h"

#define IAM_NSS_PUBLIC __attribute__((visibility("default")))

static enum nss_status finish(int r, int saved_errno, int *errnop) {
    int e = 0;
    enum nss_status st = iam_nss_status(r, &e);

    errno = saved_errno;
    if (st != NSS_STATUS_SUCCESS && errnop)
        *errnop = e;
    return st;
}

IAM_NSS_PUBLIC enum nss_status _nss_iam_getpwnam_r(const char *name, struct passwd *pwd, char *buf,
                                                   size_t buflen, int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf,
                                                   size_t buflen, int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_setpwent(int stayopen);
IAM_NSS_PUBLIC enum nss_status _nss_iam_getpwent_r(struct passwd *pwd, char *buf, size_t buflen,
                                                   int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_endpwent(void);
IAM_NSS_PUBLIC enum nss_status _nss_iam_getgrnam_r(const char *name, struct group *grp, char *buf,
                                                   size_t buflen, int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_getgrgid_r(gid_t gid, struct group *grp, char *buf,
                                                   size_t buflen, int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_setgrent(int stayopen);
IAM_NSS_PUBLIC enum nss_status _nss_iam_getgrent_r(struct group *grp, char *buf, size_t buflen,
                                                   int *errnop);
IAM_NSS_PUBLIC enum nss_status _nss_iam_endgrent(void);
IAM_NSS_PUBLIC enum nss_status _nss_iam_initgroups_dyn(const char *user, gid_t group,
                                                       long int *start, long int *size,
                                                       gid_t **groupsp, long int limit,
                                                       int *errnop);

enum nss_status _nss_iam_getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen,
                                    int *errnop) {
    int saved = errno;
    int r = pwd ? iam_nss_getpwnam(name, pwd, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
                                    int *errnop) {
    int saved = errno;
    int r = pwd ? iam_nss_getpwuid(uid, pwd, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_setpwent(int stayopen) {
    int saved = errno;

    (void)stayopen;
    return finish(iam_nss_setpwent(), saved, NULL);
}

enum nss_status _nss_iam_getpwent_r(struct passwd *pwd, char *buf, size_t buflen, int *errnop) {
    int saved = errno;
    int r = pwd ? iam_nss_getpwent(pwd, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_endpwent(void) {
    int saved = errno;

    iam_nss_endpwent();
    return finish(0, saved, NULL);
}

enum nss_status _nss_iam_getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
                                    int *errnop) {
    int saved = errno;
    int r = grp ? iam_nss_getgrnam(name, grp, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t buflen,
                                    int *errnop) {
    int saved = errno;
    int r = grp ? iam_nss_getgrgid(gid, grp, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_setgrent(int stayopen) {
    int saved = errno;

    (void)stayopen;
    return finish(iam_nss_setgrent(), saved, NULL);
}

enum nss_status _nss_iam_getgrent_r(struct group *grp, char *buf, size_t buflen, int *errnop) {
    int saved = errno;
    int r = grp ? iam_nss_getgrent(grp, buf, buflen) : -EINVAL;

    return finish(r, saved, errnop);
}

enum nss_status _nss_iam_endgrent(void) {
    int saved = errno;

    iam_nss_endgrent();
    return finish(0, saved, NULL);
}

enum nss_status _nss_iam_initgroups_dyn(const char *user, gid_t group, long int *start,
                                        long int *size, gid_t **groupsp, long int limit,
                                        int *errnop) {
    int saved = errno;
    int r = iam_nss_initgroups(user, group, start, size, groupsp, limit);

    return finish(r, saved, errnop);
}
