/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NSS cache changed under a reader that has it mapped: truncated in
 * place (to 0, to the header, to half), overwritten in place with garbage, and replaced by
 * rename. The module runs inside every process on the host (systemd, sshd): it must never die
 * of SIGBUS or SIGSEGV, and every answer it gives is SUCCESS with exactly the right entry
 * (of the cache it had, or of the one that replaced it), NOTFOUND or UNAVAIL: nothing else,
 * and never wrong data. After a damaging change it must come to say so (UNAVAIL or NOTFOUND),
 * after a rename it must come to answer from the new file, and once the good cache is back it
 * must answer from it again: each waited for by what the module answers, with a wide margin
 * (30 s) against a hang, never by a fixed time.
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
#include <stdarg.h>
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
static char cache[512], good[512], other[512];

#define N_USERS 3000u
#define MARGIN_MS 30000

/* What the answers so far were: kinds seen, and the first wrong one. */
static struct {
    unsigned long success_old, success_new, notfound, unavail, wrong;
    char first_wrong[256];
} seen;

/* The two valid caches differ in every gecos: "User N" (good) and "User N, new" (other). */
static void wrong(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wrong(const char *fmt, ...) {
    va_list ap;

    if (seen.wrong++ > 0)
        return; /* only the first one is kept */
    va_start(ap, fmt);
    vsnprintf(seen.first_wrong, sizeof(seen.first_wrong), fmt, ap);
    va_end(ap);
}

static void status_seen(enum nss_status st, const char *what) {
    if (st == NSS_STATUS_NOTFOUND)
        seen.notfound++;
    else if (st == NSS_STATUS_UNAVAIL)
        seen.unavail++;
    else
        wrong("%s: status %d (not SUCCESS, NOTFOUND or UNAVAIL)", what, (int)st);
}

/* user<i>'s passwd entry, from either cache. */
static void check_pw(enum nss_status st, const struct passwd *pw, long want_i, const char *what) {
    char name[32], gecos_old[48], gecos_new[48], home[48];
    unsigned long i;
    char *end;

    if (st != NSS_STATUS_SUCCESS) {
        status_seen(st, what);
        return;
    }
    if (!pw->pw_name || strncmp(pw->pw_name, "user", 4) != 0) {
        wrong("%s: SUCCESS with name \"%.40s\"", what, pw->pw_name ? pw->pw_name : "(null)");
        return;
    }
    i = strtoul(pw->pw_name + 4, &end, 10);
    if (*end || i >= N_USERS || (want_i >= 0 && i != (unsigned long)want_i)) {
        wrong("%s: SUCCESS for another user (%s)", what, pw->pw_name);
        return;
    }
    snprintf(name, sizeof(name), "user%lu", i);
    snprintf(gecos_old, sizeof(gecos_old), "User %lu", i);
    snprintf(gecos_new, sizeof(gecos_new), "User %lu, new", i);
    snprintf(home, sizeof(home), "/home/user%lu", i);
    if (strcmp(pw->pw_name, name) != 0 || pw->pw_uid != 300000 + i || pw->pw_gid != 300000 + i ||
        !pw->pw_dir || strcmp(pw->pw_dir, home) != 0 || !pw->pw_shell ||
        strcmp(pw->pw_shell, "/bin/sh") != 0 || !pw->pw_gecos) {
        wrong("%s: SUCCESS with wrong data (user %lu)", what, i);
        return;
    }
    if (strcmp(pw->pw_gecos, gecos_old) == 0)
        seen.success_old++;
    else if (strcmp(pw->pw_gecos, gecos_new) == 0)
        seen.success_new++;
    else
        wrong("%s: SUCCESS with a wrong gecos (user %lu)", what, i);
}

/* The group "big": gid 299999, every user0..user2999 once. */
static void check_big(enum nss_status st, const struct group *gr) {
    static unsigned char member[N_USERS];
    size_t n = 0;

    if (st != NSS_STATUS_SUCCESS) {
        status_seen(st, "getgrnam(big)");
        return;
    }
    if (!gr->gr_name || strcmp(gr->gr_name, "big") != 0 || gr->gr_gid != 299999 || !gr->gr_mem) {
        wrong("getgrnam(big): SUCCESS with wrong data (gid %lu)", (unsigned long)gr->gr_gid);
        return;
    }
    memset(member, 0, sizeof(member));
    for (; gr->gr_mem[n]; n++) {
        char *end;
        unsigned long i;

        if (strncmp(gr->gr_mem[n], "user", 4) != 0 ||
            (i = strtoul(gr->gr_mem[n] + 4, &end, 10), *end) || i >= N_USERS || member[i]++) {
            wrong("getgrnam(big): a wrong or repeated member (#%lu)", (unsigned long)n);
            return;
        }
    }
    if (n != N_USERS)
        wrong("getgrnam(big): SUCCESS with %lu members", (unsigned long)n);
}

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

/* rounds lookups of user names, the big group and (every 64th) a full enumeration, every
 * answer checked. */
static void lookups(unsigned rounds) {
    static char buf[1 << 16];

    for (unsigned i = 0; i < rounds; i++) {
        struct passwd pw;
        struct group gr;
        enum nss_status st;
        int e;
        char name[32];

        snprintf(name, sizeof(name), "user%u", i % N_USERS);
        check_pw(getpwnam_(name, &pw, buf, sizeof(buf), &e), &pw, (long)(i % N_USERS), name);
        check_big(getgrnam_("big", &gr, buf, sizeof(buf), &e), &gr);
        if (i % 64 == 0) {
            unsigned long n = 0;

            setpwent_(0);
            while ((st = getpwent_(&pw, buf, sizeof(buf), &e)) == NSS_STATUS_SUCCESS &&
                   n++ <= N_USERS)
                check_pw(st, &pw, -1, "getpwent");
            if (n > N_USERS)
                wrong("getpwent: more than %u entries", N_USERS);
            else if (st != NSS_STATUS_SUCCESS && st != NSS_STATUS_NOTFOUND)
                status_seen(st, "getpwent");
            endpwent_();
        }
    }
}

static long long ms_since(const struct timespec *t0) {
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Look up until done() says the module has reacted (every answer checked on the way), or
 * MARGIN_MS without it: a hang, not a slow machine. */
static bool until(bool (*done)(void)) {
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!done()) {
        if (seen.wrong || ms_since(&t0) > MARGIN_MS)
            return false;
        lookups(50);
    }
    return true;
}

static bool said_unavailable(void) {
    return seen.unavail + seen.notfound > 0;
}

static bool answered_new(void) {
    return seen.success_new > 0;
}

static bool answered_old(void) {
    return seen.success_old > 0;
}

static void forget(void) {
    seen.success_old = seen.success_new = seen.notfound = seen.unavail = 0;
}

static int replace_by_rename(const char *from) {
    char tmp[600];

    snprintf(tmp, sizeof(tmp), "%s.new", cache);
    return copy_file(from, tmp) < 0 || rename(tmp, cache) < 0 ? -1 : 0;
}

/* In the child: read the whole cache, change the file, look up until the module has reacted
 * to the change, then put the good cache back by rename and look up until it answers from it.
 * Exit codes: 0 fine, 3 setup, 4 did not come back to the good cache, 5 a wrong answer,
 * 6 never reacted to the change. */
static int child(enum change c) {
    struct passwd pw;
    char buf[4096];
    int e, fd;
    struct stat st;

    if (getpwnam_("user1", &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
        return 3; /* the good cache did not answer: setup problem */
    lookups(N_USERS); /* touch every block */
    if (seen.wrong || seen.notfound || seen.unavail || seen.success_new)
        return 5;
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
    case RENAME_GOOD:
        /* a valid cache with other contents, as the writer installs it */
        if (replace_by_rename(other) < 0)
            return 3;
        break;
    default:
        return 3;
    }
    forget();
    if (!until(c == RENAME_GOOD ? answered_new : said_unavailable))
        return seen.wrong ? 5 : 6;
    /* The good cache again (by rename): picked up without a restart, and from then on the
     * replaced file's entries are never answered again. */
    if (replace_by_rename(good) < 0)
        return 3;
    forget();
    if (!until(answered_old))
        return seen.wrong ? 5 : 4;
    forget();
    lookups(200);
    if (seen.wrong || seen.success_new || seen.notfound || seen.unavail) {
        if (!seen.wrong)
            wrong("%lu answers not from the good cache after it was back",
                  seen.success_new + seen.notfound + seen.unavail);
        return 5;
    }
    return 0;
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
    snprintf(other, sizeof(other), "%s/other.cache", dir);
    f = fopen(passwd, "w");
    if (!f)
        return 1;
    for (unsigned i = 0; i < N_USERS; i++)
        fprintf(f, "user%u:x:%u:%u:User %u:/home/user%u:/bin/sh\n", i, 300000 + i, 300000 + i, i,
                i);
    fclose(f);
    f = fopen(group, "w");
    if (!f)
        return 1;
    fprintf(f, "big:x:299999:");
    for (unsigned i = 0; i < N_USERS; i++)
        fprintf(f, "%suser%u", i ? "," : "", i);
    fprintf(f, "\n");
    fclose(f);
    if (run_mknsscache(argv[2], passwd, group, good) != 0) {
        fprintf(stderr, "FAIL: mknsscache\n");
        return 1;
    }
    f = fopen(passwd, "w");
    if (!f)
        return 1;
    for (unsigned i = 0; i < N_USERS; i++)
        fprintf(f, "user%u:x:%u:%u:User %u, new:/home/user%u:/bin/sh\n", i, 300000 + i,
                300000 + i, i, i);
    fclose(f);
    if (run_mknsscache(argv[2], passwd, group, other) != 0) {
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
        if (pid == 0) {
            int r = child((enum change)c);

            if (seen.wrong)
                fprintf(stderr, "%s: %lu wrong answers, the first: %s\n", change_names[c],
                        seen.wrong, seen.first_wrong);
            fflush(NULL);
            _exit(r);
        }
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
        } else if (WEXITSTATUS(status) == 5) {
            printf("FAIL - %s: a wrong answer (see above)\n", change_names[c]);
            fails++;
        } else if (WEXITSTATUS(status) == 6) {
            printf("FAIL - %s: the reader never noticed the change\n", change_names[c]);
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
        (void)unlink(other);
        (void)unlink(passwd);
        (void)unlink(group);
        if (rmdir(dir) < 0)
            fprintf(stderr, "warning: could not remove %s\n", dir);
    }
    printf("# %d failed\n", fails);
    return fails ? 1 : 0;
}
