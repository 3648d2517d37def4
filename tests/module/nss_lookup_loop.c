/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nss_lookup_loop MODULE.so CACHE COUNT: COUNT lookups through the module (getpwnam and
 * getgrnam hits and misses, by id, initgroups, enumeration, short buffers), checking every
 * answer. Run under valgrind by test_nss_valgrind: no error, no leak. Exit 0 when all
 * answers were right.
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*getgrgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long int *, long int *, gid_t **,
                                         long int, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*getpwent_fn)(struct passwd *, char *, size_t, int *);

int main(int argc, char **argv) {
    void *dl;
    getpwnam_fn getpwnam;
    getpwuid_fn getpwuid;
    getgrnam_fn getgrnam;
    getgrgid_fn getgrgid;
    initgroups_fn initgroups;
    setent_fn setpwent;
    endent_fn endpwent;
    getpwent_fn getpwent;
    long count, bad = 0;
    char buf[2048];

    if (argc != 4) {
        fprintf(stderr, "usage: nss_lookup_loop MODULE.so CACHE COUNT\n");
        return 2;
    }
    count = atol(argv[3]);
    setenv("IAM_NSS_CACHE", argv[2], 1);
    dl = dlopen(argv[1], RTLD_NOW);
    if (!dl) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    getpwnam = (getpwnam_fn)dlsym(dl, "_nss_iam_getpwnam_r");
    getpwuid = (getpwuid_fn)dlsym(dl, "_nss_iam_getpwuid_r");
    getgrnam = (getgrnam_fn)dlsym(dl, "_nss_iam_getgrnam_r");
    getgrgid = (getgrgid_fn)dlsym(dl, "_nss_iam_getgrgid_r");
    initgroups = (initgroups_fn)dlsym(dl, "_nss_iam_initgroups_dyn");
    setpwent = (setent_fn)dlsym(dl, "_nss_iam_setpwent");
    endpwent = (endent_fn)dlsym(dl, "_nss_iam_endpwent");
    getpwent = (getpwent_fn)dlsym(dl, "_nss_iam_getpwent_r");
    if (!getpwnam || !getpwuid || !getgrnam || !getgrgid || !initgroups || !setpwent || !endpwent ||
        !getpwent)
        return 2;

    for (long i = 0; i < count; i++) {
        struct passwd pw;
        struct group gr;
        int err = 0;

        switch (i % 10) {
        case 0:
            bad += getpwnam("alice", &pw, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS ||
                   pw.pw_uid != 200001;
            break;
        case 1:
            bad += getpwnam("nosuchuser", &pw, buf, sizeof(buf), &err) != NSS_STATUS_NOTFOUND;
            break;
        case 2:
            bad += getpwuid(200002, &pw, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS ||
                   strcmp(pw.pw_name, "bob") != 0;
            break;
        case 3:
            bad += getgrnam("devs", &gr, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS ||
                   !gr.gr_mem[2] || gr.gr_mem[3];
            break;
        case 4:
            bad += getgrnam("nosuchgroup", &gr, buf, sizeof(buf), &err) != NSS_STATUS_NOTFOUND;
            break;
        case 5:
            bad += getgrgid(210001, &gr, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS;
            break;
        case 6:
            bad += getgrgid(210001, &gr, buf, 3, &err) != NSS_STATUS_TRYAGAIN || err != ERANGE;
            break;
        case 7: {
            long int start = 1, size = 1;
            gid_t *g = malloc(sizeof(gid_t));

            if (!g)
                return 2;
            g[0] = 200002;
            bad += initgroups("bob", 200002, &start, &size, &g, 0, &err) != NSS_STATUS_SUCCESS ||
                   start != 3;
            free(g);
            break;
        }
        case 8:
            bad += getpwuid(4242, &pw, buf, sizeof(buf), &err) != NSS_STATUS_NOTFOUND;
            break;
        default: {
            int n = 0;

            if (i % 1000 != 9)
                break;
            setpwent(0);
            while (getpwent(&pw, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS)
                n++;
            endpwent();
            bad += n != 3;
            break;
        }
        }
    }
    printf("%ld lookups, %ld wrong\n", count, bad);
    return bad ? 1 : 0;
}
