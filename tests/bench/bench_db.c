/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the identity database (not a timed test; prints figures):
 *   - load + validate (iam_db_load: read, parse, every rule, every policy document checked
 *     by the policy engine's compiler; the compiled forms are not kept, see
 *     iam_db_policy_compiled) of databases of 10,000 and 100,000 users, each in 3 groups
 *     with 2 access keys and 2 inline policies of its own (distinct documents, so none is
 *     skipped as already checked): median and minimum wall time and median CPU time of 5
 *     runs, each in a fresh child, and the largest peak RSS growth (ru_maxrss);
 *   - one `iamctl create-user` against the 100,000-user database: the whole process (lock,
 *     load, validate, edit, validate the result, atomic write with fsync, compile hook), wall
 *     time and the child's peak RSS.
 * Targets: 100,000 users loaded in <= 2 s, using <= 10x the file size.
 *
 * usage: bench_db IAMCTL [USERS...]   (default 10000 100000)
 *        bench_db --write FILE USERS     (only write the database, e.g. to profile a load) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iam/db.h"
#include "iamtest.h"

#define GROUPS 1000
#define RUNS 5

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The database, written the way iamctl writes it (4-space indent). */
static int write_db(const char *path, unsigned n_users) {
    FILE *f = fopen(path, "we");

    if (!f)
        return -errno;
    fprintf(
        f,
        "{\n    \"FormatVersion\": 1,\n    \"Serial\": 1,\n    \"AccountId\": \"123456789012\",\n"
        "    \"Posix\": {\n        \"NextUid\": %u\n    },\n    \"Policies\": [],\n"
        "    \"GroupDetailList\": [\n",
        200000 + n_users + GROUPS);
    for (unsigned g = 0; g < GROUPS; g++)
        fprintf(
            f,
            "        {\n            \"Path\": \"/\",\n            \"GroupName\": \"group%u\",\n"
            "            \"GroupId\": \"AGPA%017u\",\n"
            "            \"Arn\": \"arn:aws:iam::123456789012:group/group%u\",\n"
            "            \"CreateDate\": \"2024-01-02T03:04:05+00:00\",\n"
            "            \"GroupPolicyList\": [],\n            \"AttachedManagedPolicies\": [],\n"
            "            \"Posix\": {\n                \"Gid\": %u\n            }\n        }%s\n",
            g, g, g, 200000 + n_users + g, g + 1 < GROUPS ? "," : "");
    fprintf(f, "    ],\n    \"UserDetailList\": [\n");
    for (unsigned u = 0; u < n_users; u++) {
        fprintf(f,
                "        {\n            \"Path\": \"/\",\n            \"UserName\": \"user%u\",\n"
                "            \"UserId\": \"AIDA%017u\",\n"
                "            \"Arn\": \"arn:aws:iam::123456789012:user/user%u\",\n"
                "            \"CreateDate\": \"2024-01-02T03:04:05+00:00\",\n"
                "            \"UserPolicyList\": [\n",
                u, u, u);
        for (int p = 0; p < 2; p++)
            fprintf(f,
                    "                {\n                    \"PolicyName\": \"inline%d\",\n"
                    "                    \"PolicyDocument\": {\n"
                    "                        \"Version\": \"2012-10-17\",\n"
                    "                        \"Statement\": [\n                            {\n"
                    "                                \"Sid\": \"Own%d\",\n"
                    "                                \"Effect\": \"%s\",\n"
                    "                                \"Action\": \"%s\",\n"
                    "                                \"Resource\": "
                    "\"arn:aws:ec2:eu-west-1:123456789012:instance/i-%017u\"\n"
                    "                            }\n                        ]\n"
                    "                    }\n                }%s\n",
                    p, p, p ? "Deny" : "Allow", p ? "host:Sudo" : "host:Login", u, p ? "" : ",");
        fprintf(f,
                "            ],\n            \"GroupList\": [\n                \"group%u\",\n"
                "                \"group%u\",\n                \"group%u\"\n            ],\n"
                "            \"AttachedManagedPolicies\": [],\n            \"AccessKeys\": [\n",
                u % GROUPS, (u + 1) % GROUPS, (u + 2) % GROUPS);
        for (int k = 0; k < 2; k++) {
            char id[21];
            unsigned v = u * 2 + (unsigned)k;
            memcpy(id, "AKIA", 4);
            for (int i = 19; i >= 4; i--, v /= 32)
                id[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[v % 32];
            id[20] = '\0';
            fprintf(f,
                    "                {\n                    \"AccessKeyId\": \"%s\",\n"
                    "                    \"Status\": \"Active\",\n"
                    "                    \"CreateDate\": \"2024-01-02T03:04:05+00:00\",\n"
                    "                    \"SecretHash\": "
                    "\"$iamb2k$v=1$TGWP8XSFUgmhi+GoeCvsFg$zmbDJwvmM4Jpm407s0r1cH0T7CoS7/"
                    "JdMTzpVDv/pAY\"\n                }%s\n",
                    id, k ? "" : ",");
        }
        fprintf(f,
                "            ],\n            \"Posix\": {\n                \"Uid\": %u,\n"
                "                \"Gid\": %u,\n                \"Home\": \"/home/user%u\",\n"
                "                \"Shell\": \"/bin/bash\"\n            }\n        }%s\n",
                200000 + u, 200000 + u, u, u + 1 < n_users ? "," : "");
    }
    fprintf(f, "    ],\n    \"RoleDetailList\": []\n}\n");
    return fclose(f) == 0 ? 0 : -errno;
}

/* Load once in a fresh child: wall time and how much the peak RSS grew. */
static int measure_load(const char *path, double *ret_s, double *ret_cpu, long *ret_rss_kb) {
    int pfd[2];
    pid_t pid;

    if (pipe(pfd) < 0)
        return -errno;
    pid = fork();
    if (pid == 0) {
        struct rusage a, b;
        double cpu;
        struct iam_db *db = NULL;
        struct iam_error e;
        double t0, t;
        long res[3];
        iam_error_init(&e);
        getrusage(RUSAGE_SELF, &a);
        t0 = now_s();
        if (iam_db_load(path, 0, &db, &e) != 0) {
            fprintf(stderr, "load failed: %u:%u %s\n", e.line, e.column, e.text);
            _exit(1);
        }
        t = now_s() - t0;
        getrusage(RUSAGE_SELF, &b);
        cpu = (double)(b.ru_utime.tv_sec - a.ru_utime.tv_sec + b.ru_stime.tv_sec -
                       a.ru_stime.tv_sec) +
              (double)(b.ru_utime.tv_usec - a.ru_utime.tv_usec + b.ru_stime.tv_usec -
                       a.ru_stime.tv_usec) /
                  1e6;
        res[0] = (long)(t * 1e6);
        res[1] = b.ru_maxrss - a.ru_maxrss;
        res[2] = (long)(cpu * 1e6);
        if (write(pfd[1], res, sizeof(res)) != sizeof(res))
            _exit(1);
        iam_db_free(db);
        _exit(0);
    }
    close(pfd[1]);
    {
        long res[3];
        int status;
        ssize_t n = read(pfd[0], res, sizeof(res));
        close(pfd[0]);
        waitpid(pid, &status, 0);
        if (n != sizeof(res) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -EIO;
        *ret_s = (double)res[0] / 1e6;
        *ret_rss_kb = res[1];
        *ret_cpu = (double)res[2] / 1e6;
    }
    return 0;
}

static int run_iamctl(const char *iamctl, const char *conf, const char *user, double *ret_s,
                      double *ret_cpu, long *ret_rss_kb) {
    struct rusage ru;
    double t0 = now_s();
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        int null = open("/dev/null", 1);
        if (null >= 0)
            dup2(null, 1);
        execl(iamctl, iamctl, "--config", conf, "create-user", "--user-name", user, (char *)NULL);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        return -EIO;
    *ret_s = now_s() - t0;
    *ret_rss_kb = ru.ru_maxrss;
    *ret_cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int main(int argc, char *argv[]) {
    unsigned sizes[8] = {10000, 100000};
    size_t n_sizes = 2;
    const char *iamctl;
    char *dir;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IAMCTL [USERS...]\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "--write") == 0) {
        if (argc != 4) {
            fprintf(stderr, "usage: %s --write FILE USERS\n", argv[0]);
            return 2;
        }
        return write_db(argv[2], (unsigned)strtoul(argv[3], NULL, 10)) < 0 ? 1 : 0;
    }
    iamctl = argv[1];
    if (argc > 2) {
        n_sizes = 0;
        for (int i = 2; i < argc && n_sizes < 8; i++)
            sizes[n_sizes++] = (unsigned)strtoul(argv[i], NULL, 10);
    }
    dir = iamtest_mkdtemp();
    if (!dir)
        return 1;
    printf("%-8s %10s %12s %12s %12s %10s %8s\n", "users", "file MB", "load median", "load min",
           "CPU median", "RSS MB", "RSS/file");
    for (size_t s = 0; s < n_sizes; s++) {
        char *db = NULL, *conf = NULL, *passwd = NULL, *group = NULL, *text = NULL;
        double t[RUNS], cpu[RUNS], wall, ccpu;
        long rss[RUNS], crss;
        struct stat st;

        if (asprintf(&db, "%s/iam-%u.json", dir, sizes[s]) < 0)
            return 1;
        if (write_db(db, sizes[s]) < 0 || chmod(db, 0600) < 0 || stat(db, &st) < 0)
            return 1;
        for (int r = 0; r < RUNS; r++)
            if (measure_load(db, &t[r], &cpu[r], &rss[r]) < 0)
                return 1;
        qsort(t, RUNS, sizeof(t[0]), cmp_double);
        qsort(cpu, RUNS, sizeof(cpu[0]), cmp_double);
        {
            long maxrss = 0;
            for (int r = 0; r < RUNS; r++)
                if (rss[r] > maxrss)
                    maxrss = rss[r];
            printf("%-8u %10.1f %11.3fs %11.3fs %11.3fs %10.1f %7.1fx\n", sizes[s],
                   (double)st.st_size / 1048576.0, t[RUNS / 2], t[0], cpu[RUNS / 2],
                   (double)maxrss / 1024.0, (double)maxrss * 1024.0 / (double)st.st_size);
        }
        /* one create-user, the whole iamctl process */
        if (asprintf(&conf, "%s/iam-%u.conf", dir, sizes[s]) < 0 ||
            asprintf(&passwd, "%s/passwd", dir) < 0 || asprintf(&group, "%s/group", dir) < 0 ||
            asprintf(&text,
                     "account_id = 123456789012\nhost_arn = "
                     "arn:aws:ec2:eu-west-1:123456789012:instance/i-1\ndatabase = %s\n"
                     "cache_dir = %s/cache\naudit_log = none\nuid_min = 200000\n"
                     "uid_max = 999999\n",
                     db, dir) < 0)
            return 1;
        free(iamtest_write_file(dir, strrchr(conf, '/') + 1, text, strlen(text), 0644));
        free(iamtest_write_file(dir, "passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644));
        free(iamtest_write_file(dir, "group", "root:x:0:\n", 10, 0644));
        setenv("IAMCTL_PASSWD_FILE", passwd, 1);
        setenv("IAMCTL_GROUP_FILE", group, 1);
        if (run_iamctl(iamctl, conf, "newcomer", &wall, &ccpu, &crss) < 0) {
            fprintf(stderr, "create-user failed\n");
            return 1;
        }
        printf("         create-user (whole iamctl process): %.3fs wall, %.3fs CPU, peak RSS "
               "%.1f MB\n",
               wall, ccpu, (double)crss / 1024.0);
        fflush(stdout);
        unlink(db);
        free(db);
        free(conf);
        free(passwd);
        free(group);
        free(text);
    }
    iamtest_rmtree(dir);
    free(dir);
    return 0;
}
