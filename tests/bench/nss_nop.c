/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libnss_iamnop.so.2: a do-nothing NSS module for the benchmark. Every lookup is NOTFOUND at
 * once, touching no data, so glibc's own dispatch cost (nsswitch.conf check, module call) is
 * what it measures: the floor any module pays.
 */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>

#define NOP_PUBLIC __attribute__((visibility("default")))

NOP_PUBLIC enum nss_status _nss_iamnop_getpwnam_r(const char *name, struct passwd *pwd, char *buf,
                                                  size_t buflen, int *errnop);
NOP_PUBLIC enum nss_status _nss_iamnop_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf,
                                                  size_t buflen, int *errnop);
NOP_PUBLIC enum nss_status _nss_iamnop_getgrnam_r(const char *name, struct group *grp, char *buf,
                                                  size_t buflen, int *errnop);
NOP_PUBLIC enum nss_status _nss_iamnop_getgrgid_r(gid_t gid, struct group *grp, char *buf,
                                                  size_t buflen, int *errnop);
NOP_PUBLIC enum nss_status _nss_iamnop_initgroups_dyn(const char *user, gid_t group,
                                                      long int *start, long int *size,
                                                      gid_t **groupsp, long int limit, int *errnop);

enum nss_status _nss_iamnop_getpwnam_r(const char *name, struct passwd *pwd, char *buf,
                                       size_t buflen, int *errnop) {
    (void)name, (void)pwd, (void)buf, (void)buflen;
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_iamnop_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
                                       int *errnop) {
    (void)uid, (void)pwd, (void)buf, (void)buflen;
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_iamnop_getgrnam_r(const char *name, struct group *grp, char *buf,
                                       size_t buflen, int *errnop) {
    (void)name, (void)grp, (void)buf, (void)buflen;
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_iamnop_getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t buflen,
                                       int *errnop) {
    (void)gid, (void)grp, (void)buf, (void)buflen;
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_iamnop_initgroups_dyn(const char *user, gid_t group, long int *start,
                                           long int *size, gid_t **groupsp, long int limit,
                                           int *errnop) {
    (void)user, (void)group, (void)start, (void)size, (void)groupsp, (void)limit;
    *errnop = ENOENT;
    return NSS_STATUS_NOTFOUND;
}
