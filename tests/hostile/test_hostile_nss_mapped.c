/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NSS cache changed under a reader that has it mapped: truncated in
 * place (to 0, to the header, to half), overwritten in place with garbage, and replaced by
 * rename. The module runs inside every process on the host (systemd, sshd): it must never die
 * of SIGBUS or SIGSEGV; it answers SUCCESS (the old mapping), NOTFOUND or UNAVAIL.
 * Each scenario runs in a child process; the parent reports how the child ended.
 *   test_hostile_nss_mapped MODULE.so MKNSSCACHE [all|truncate|other]
 * (Until aa713e8 the module died of SIGBUS on every truncation: found by this test.)
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*getgrnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*getpwent_fn)(struct passwd *, char *, size_t, int *);

static getpwnam_fn getpwnam_;
static getgrnam_fn getgrnam_;
static setent_fn setpwent_;
static endent_fn endpwent_;
static getpwent_fn getpwent_;
static char dir[] = "/tmp/hostile-nss.XXXXXX";
static char cache[512], good[512];

enum change { TRUNC_ZERO, TRUNC_HEADER, TRUNC_HALF, GARBAGE_IN_PLACE, RENAME_GOOD, N_CHANGES };
static const char *const change_names[] = {"truncated in place to 0 bytes",
                                           "truncated in place to 4096 bytes",
                                           "truncated in place to half",
                                           "overwritten in place with garbage",
                                           "replaced by rename (as the writer does)"};

static int copy_file(const char *from, const char *to) {
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC), out;
    ssize_t n;

    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            break;
    close(in);
    return close(out) == 0 && n == 0 ? 0 : -1;
}

static int lookups(unsigned rounds) {
    static char buf[1 << 16];
    int answers = 0;

    for (unsigned i = 0; i < rounds; i++) {
        struct passwd pw;
        struct group gr;
        int e;
        char name[32];

        snprintf(name, sizeof(name), "user%u", i % 3000);
        answers += getpwnam_(name, &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS;
        answers += getgrnam_("big", &gr, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS;
        if (i % 64 == 0) {
            setpwent_(0);
            while (getpwent_(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
                answers++;
            endpwent_();
        }
    }
    return answers;
}

/* In the child: map, change the file, keep looking up for 1.5 s (past the module's recheck
 * interval), then once more after the good cache is back. */
static int child(enum change c) {
    struct passwd pw;
    char buf[4096];
    int e, fd;
    struct stat st;
    struct timespec t0, t;

    if (getpwnam_("user1", &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
        return 3; /* the good cache did not answer: setup problem */
    (void)lookups(3000); /* touch every page */
    if (stat(cache, &st) < 0)
        return 3;
    switch (c) {
    case TRUNC_ZERO:
        if (truncate(cache, 0) < 0)
            return 3;
        break;
    case TRUNC_HEADER:
        if (truncate(cache, 4096) < 0)
            return 3;
        break;
    case TRUNC_HALF:
        if (truncate(cache, st.st_size / 2) < 0)
            return 3;
        break;
    case GARBAGE_IN_PLACE:
        fd = open(cache, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return 3;
        for (off_t off = 0; off < st.st_size; off += 512) {
            char junk[512];

            memset(junk, (int)(off / 512) & 0xff, sizeof(junk));
            if (pwrite(fd, junk, sizeof(junk), off) < 0)
                return 3;
        }
        close(fd);
        break;
    case RENAME_GOOD: {
        char tmp[600];

        snprintf(tmp, sizeof(tmp), "%s.new", cache);
        if (copy_file(good, tmp) < 0 || rename(tmp, cache) < 0)
            return 3;
        break;
    }
    default:
        return 3;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        (void)lookups(200);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 1500);
    /* The good cache again (by rename): picked up without a restart. */
    {
        char tmp[600];

        snprintf(tmp, sizeof(tmp), "%s.new", cache);
        if (copy_file(good, tmp) < 0 || rename(tmp, cache) < 0)
            return 3;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        if (getpwnam_("user1", &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
            return 0;
        usleep(50000);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (t.tv_sec - t0.tv_sec < 3);
    return 4; /* never recovered */
}

/* mknsscache PASSWD GROUP OUT, without a shell. */
static int run_mknsscache(const char *mk, const char *passwd, const char *group, const char *out) {
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl(mk, mk, passwd, group, out, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char *argv[]) {
    char passwd[600], group[600];
    void *dl;
    FILE *f;
    int fails = 0;

    const char *set = argc > 3 ? argv[3] : "all";

    if (argc < 3 || argc > 4 ||
        (strcmp(set, "all") != 0 && strcmp(set, "truncate") != 0 && strcmp(set, "other") != 0)) {
        fprintf(stderr, "usage: test_hostile_nss_mapped MODULE.so MKNSSCACHE [all|truncate|other]\n");
        return 2;
    }
    if (!mkdtemp(dir))
        return 1;
    snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
    snprintf(group, sizeof(group), "%s/group", dir);
    snprintf(cache, sizeof(cache), "%s/nss.cache", dir);
    snprintf(good, sizeof(good), "%s/good.cache", dir);
    f = fopen(passwd, "w");
    if (!f)
        return 1;
    for (unsigned i = 0; i < 3000; i++)
        fprintf(f, "user%u:x:%u:%u:User %u:/home/user%u:/bin/sh\n", i, 300000 + i, 300000 + i, i,
                i);
    fclose(f);
    f = fopen(group, "w");
    if (!f)
        return 1;
    fprintf(f, "big:x:299999:");
    for (unsigned i = 0; i < 3000; i++)
        fprintf(f, "%suser%u", i ? "," : "", i);
    fprintf(f, "\n");
    fclose(f);
    if (run_mknsscache(argv[2], passwd, group, good) != 0) {
        fprintf(stderr, "FAIL: mknsscache\n");
        return 1;
    }
    setenv("IAM_NSS_CACHE", cache, 1);
    dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "FAIL: %s\n", dlerror());
        return 1;
    }
    getpwnam_ = (getpwnam_fn)dlsym(dl, "_nss_iam_getpwnam_r");
    getgrnam_ = (getgrnam_fn)dlsym(dl, "_nss_iam_getgrnam_r");
    setpwent_ = (setent_fn)dlsym(dl, "_nss_iam_setpwent");
    endpwent_ = (endent_fn)dlsym(dl, "_nss_iam_endpwent");
    getpwent_ = (getpwent_fn)dlsym(dl, "_nss_iam_getpwent_r");
    if (!getpwnam_ || !getgrnam_ || !setpwent_ || !endpwent_ || !getpwent_) {
        fprintf(stderr, "FAIL: missing entry points\n");
        return 1;
    }
    for (int c = 0; c < N_CHANGES; c++) {
        pid_t pid;
        int status;
        bool trunc = c == TRUNC_ZERO || c == TRUNC_HEADER || c == TRUNC_HALF;

        if ((strcmp(set, "truncate") == 0 && !trunc) || (strcmp(set, "other") == 0 && trunc))
            continue;
        if (copy_file(good, cache) < 0)
            return 1;
        fflush(NULL);
        pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(child((enum change)c));
        if (waitpid(pid, &status, 0) < 0)
            return 1;
        if (WIFSIGNALED(status)) {
            printf("FAIL - %s: the reader died of signal %d (%s)\n", change_names[c],
                   WTERMSIG(status), strsignal(WTERMSIG(status)));
            fails++;
        } else if (WEXITSTATUS(status) == 4) {
            printf("FAIL - %s: the reader never picked up the good cache again\n",
                   change_names[c]);
            fails++;
        } else if (WEXITSTATUS(status) != 0) {
            printf("FAIL - %s: setup failed in the child (%d)\n", change_names[c],
                   WEXITSTATUS(status));
            fails++;
        } else {
            printf("ok   - %s\n", change_names[c]);
        }
    }
    {
        char tmp[600];

        snprintf(tmp, sizeof(tmp), "%s.new", cache);
        (void)unlink(tmp);
        (void)unlink(cache);
        (void)unlink(good);
        (void)unlink(passwd);
        (void)unlink(group);
        if (rmdir(dir) < 0)
            fprintf(stderr, "warning: could not remove %s\n", dir);
    }
    printf("# %d failed\n", fails);
    return fails ? 1 : 0;
}
