/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the identity store against the JSON database it replaced (not a timed test;
 * prints figures). For accounts of N users (default 1,000, 10,000 and 100,000), N/10 groups,
 * 5 memberships per user and one inline policy on each group, in one run:
 *   - import of the whole AWS export (written as the AWS CLI prints it, indented), into a new
 *     store, and the size of the store against the export's;
 *   - create-user, add-user-to-group, put-user-policy, create-access-key, get-user,
 *     list-groups-for-user, simulate-principal-policy (one user) and compile, each timed as a
 *     whole iamctl process (caches refreshed by the writers), medians of several runs, and
 *     the peak RSS of every run (wait4's ru_maxrss);
 *   - the start of a verb that needs nothing (iamctl --version);
 * and, with --baseline, the same against the iamctl of the previous release (the JSON
 * database, written directly for the verbs; its import run with a time limit, since it is
 * quadratic). The table shows both, the ratio, and the targets.
 *
 * usage: bench_store --iamctl IAMCTL [--baseline OLD_IAMCTL] [--sizes 1000,10000,100000]
 *                    [--runs 7] [--baseline-runs 3] [--import-runs 3] [--baseline-limit 120]
 *                    [--keep 1]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iamtest.h"

#define ACCOUNT "123456789012"
#define HOST_ARN "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"
#define MAX_RUNS 31

static const char *new_iamctl, *old_iamctl;
static unsigned runs = 7, baseline_runs = 3, import_runs = 3, baseline_limit = 120;
static bool keep; /* --keep 1: leave the accounts (stores, exports) in place, for profiling */
static char *dir;

struct sample {
    double s;
    double cpu; /* user + system CPU seconds of the process (wait4's rusage) */
    long rss_kb;
    bool ok, timed_out;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Run argv (stdout and stdin on /dev/null, stderr kept), time it, its peak RSS; a limit in
 * seconds kills it (timed_out). */
static struct sample run(const char *const argv[], const char *stdin_text, unsigned limit) {
    struct sample sm = {0};
    struct rusage ru;
    int status = 0, in[2] = {-1, -1};
    double t0;
    pid_t pid, w;

    if (stdin_text && pipe(in) < 0)
        return sm;
    t0 = now_s();
    pid = fork();
    if (pid == 0) {
        char *a[32];
        size_t i;
        int null = open("/dev/null", O_RDWR);

        /* execv's prototype wants char *const[]: copy the pointers, no cast needed */
        for (i = 0; i < 31 && argv[i]; i++)
            memcpy(&a[i], &argv[i], sizeof(a[i]));
        a[i] = NULL;
        dup2(stdin_text ? in[0] : null, 0);
        dup2(null, 1);
        if (stdin_text) {
            close(in[0]);
            close(in[1]);
        }
        if (a[0])
            execv(a[0], a);
        _exit(127);
    }
    if (stdin_text) {
        close(in[0]);
        if (write(in[1], stdin_text, strlen(stdin_text)) < 0)
            sm.ok = false;
        close(in[1]);
    }
    for (;;) {
        w = wait4(pid, &status, limit ? WNOHANG : 0, &ru);
        if (w == pid || w < 0)
            break;
        if (now_s() - t0 > limit) {
            kill(pid, SIGKILL);
            sm.timed_out = true;
        }
        usleep(20000);
    }
    sm.s = now_s() - t0;
    sm.rss_kb = ru.ru_maxrss;
    sm.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    sm.ok = w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return sm;
}

/* ---- the account ------------------------------------------------------------------------------- */

static void id17(char out[18], unsigned v) {
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for (int i = 16; i >= 0; i--, v /= 32)
        out[i] = b32[v % 32];
    out[17] = '\0';
}

/* The account as the AWS CLI prints an export (db = false), or as iam-host 0.1 kept its JSON
 * database (db = true: its extensions and every POSIX id). */
static int write_account(const char *path, unsigned n, bool db) {
    unsigned g_count = n / 10 ? n / 10 : 1, base = 200000;
    FILE *f = fopen(path, "we");
    char id[18];

    if (!f)
        return -errno;
    fputs("{\n", f);
    if (db)
        fprintf(f,
                "    \"FormatVersion\": 1,\n    \"Serial\": 1,\n    \"AccountId\": \"" ACCOUNT
                "\",\n    \"Posix\": {\n        \"NextUid\": %u\n    },\n",
                base + g_count + n);
    fputs("    \"UserDetailList\": [\n", f);
    for (unsigned u = 0; u < n; u++) {
        id17(id, u);
        fprintf(f,
                "        {\n            \"Path\": \"/\",\n            \"UserName\": \"user%u\",\n"
                "            \"UserId\": \"AIDA%s\",\n"
                "            \"Arn\": \"arn:aws:iam::" ACCOUNT ":user/user%u\",\n"
                "            \"CreateDate\": \"2024-01-02T03:04:05+00:00\",\n"
                "            \"UserPolicyList\": [],\n            \"GroupList\": [\n",
                u, id, u);
        for (unsigned k = 0; k < 5 && k < g_count; k++)
            fprintf(f, "                \"group%u\"%s\n", (u + k * (g_count / 5 ? g_count / 5 : 1)) % g_count,
                    k + 1 < 5 && k + 1 < g_count ? "," : "");
        fprintf(f,
                "            ],\n            \"AttachedManagedPolicies\": [],\n"
                "            \"Tags\": [\n                {\n                    \"Key\": \"team\",\n"
                "                    \"Value\": \"team%u\"\n                }\n            ]%s\n",
                u % 100, db ? "," : "");
        if (db)
            fprintf(f,
                    "            \"Posix\": {\n                \"Uid\": %u,\n                \"Gid\": %u,\n"
                    "                \"Home\": \"/home/user%u\",\n"
                    "                \"Shell\": \"/bin/bash\"\n            }\n",
                    base + g_count + u, base + g_count + u, u);
        fprintf(f, "        }%s\n", u + 1 < n ? "," : "");
    }
    fputs("    ],\n    \"GroupDetailList\": [\n", f);
    for (unsigned g = 0; g < g_count; g++) {
        id17(id, g);
        fprintf(f,
                "        {\n            \"Path\": \"/\",\n            \"GroupName\": \"group%u\",\n"
                "            \"GroupId\": \"AGPA%s\",\n"
                "            \"Arn\": \"arn:aws:iam::" ACCOUNT ":group/group%u\",\n"
                "            \"CreateDate\": \"2024-01-02T03:04:05+00:00\",\n"
                "            \"GroupPolicyList\": [\n                {\n"
                "                    \"PolicyName\": \"login\",\n"
                "                    \"PolicyDocument\": {\n"
                "                        \"Version\": \"2012-10-17\",\n"
                "                        \"Statement\": [\n                            {\n"
                "                                \"Sid\": \"Group%u\",\n"
                "                                \"Effect\": \"Allow\",\n"
                "                                \"Action\": [\n"
                "                                    \"host:Login\",\n"
                "                                    \"host:Sudo\"\n"
                "                                ],\n"
                "                                \"Resource\": \"arn:aws:ec2:*:" ACCOUNT
                ":instance/*\",\n"
                "                                \"Condition\": {\n"
                "                                    \"StringEquals\": {\n"
                "                                        \"aws:PrincipalTag/team\": \"team%u\"\n"
                "                                    }\n                                }\n"
                "                            }\n                        ]\n"
                "                    }\n                }\n            ],\n"
                "            \"AttachedManagedPolicies\": []%s\n",
                g, id, g, g, g % 100, db ? "," : "");
        if (db)
            fprintf(f, "            \"Posix\": {\n                \"Gid\": %u\n            }\n",
                    base + g);
        fprintf(f, "        }%s\n", g + 1 < g_count ? "," : "");
    }
    fputs("    ],\n    \"RoleDetailList\": [],\n    \"Policies\": []\n}\n", f);
    return fclose(f) == 0 ? 0 : -errno;
}

/* ---- the runs ------------------------------------------------------------------------------------ */

enum verb {
    V_IMPORT,
    V_CREATE_USER,
    V_ADD_TO_GROUP,
    V_PUT_POLICY,
    V_ACCESS_KEY,
    V_GET_USER,
    V_LIST_GROUPS,
    V_SIMULATE,
    V_COMPILE,
    V_START,
    V_N
};
static const char *const verb_names[V_N] = {
    "import",          "create-user",        "add-user-to-group",         "put-user-policy",
    "create-access-key", "get-user",          "list-groups-for-user",      "simulate-principal-policy",
    "compile",         "start (--version)"};

struct result {
    double median;
    double cpu_median; /* of the same successful runs */
    long rss_kb; /* the largest of the runs */
    size_t n_ok, n;
    bool timed_out;
};

static double median_of(double *t, size_t k) {
    qsort(t, k, sizeof(t[0]), cmp_double);
    return k % 2 ? t[k / 2] : (t[k / 2 - 1] + t[k / 2]) / 2;
}

static struct result summarize(const struct sample *s, size_t n) {
    double t[MAX_RUNS], c[MAX_RUNS];
    struct result r = {.n = n};
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i].rss_kb > r.rss_kb)
            r.rss_kb = s[i].rss_kb;
        if (s[i].timed_out)
            r.timed_out = true;
        if (s[i].ok) {
            c[k] = s[i].cpu;
            t[k++] = s[i].s;
        }
    }
    r.n_ok = k;
    if (k) {
        r.median = median_of(t, k);
        r.cpu_median = median_of(c, k);
    }
    return r;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return s;
}

static void write_conf(const char *conf, const char *database, const char *cache) {
    char *text = xasprintf("account_id = " ACCOUNT "\nhost_arn = arn:aws:ec2:eu-west-1:" ACCOUNT
                           ":instance/i-1\ndatabase = %s\ncache_dir = %s\naudit_log = none\n"
                           "uid_min = 200000\nuid_max = 999999\n",
                           database, cache);
    FILE *f = fopen(conf, "we");

    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", conf);
        exit(1);
    }
    free(text);
}

/* One verb of run r against a configuration: argv built here. */
static struct sample run_verb(const char *iamctl, const char *conf, enum verb v, unsigned r,
                              unsigned n) {
    char user[32], bench[32], arn[96];
    unsigned k = (r * 7919u + 17) % n;
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                      "\"Action\":\"host:Login\",\"Resource\":\"*\"}}";

    snprintf(user, sizeof(user), "user%u", k);
    snprintf(bench, sizeof(bench), "bench%u", r);
    snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCOUNT ":user/user%u", k);
    switch (v) {
    case V_CREATE_USER: {
        const char *a[] = {iamctl, "--config", conf, "create-user", "--user-name", bench, NULL};
        return run(a, NULL, 0);
    }
    case V_ADD_TO_GROUP: {
        const char *a[] = {iamctl, "--config", conf, "add-user-to-group", "--user-name",
                     bench, "--group-name", "group1", NULL};
        return run(a, NULL, 0);
    }
    case V_PUT_POLICY: {
        const char *a[] = {iamctl, "--config", conf, "put-user-policy", "--user-name",
                     bench, "--policy-name", "bench", "--policy-document", doc, NULL};
        return run(a, NULL, 0);
    }
    case V_ACCESS_KEY: {
        const char *a[] = {iamctl, "--config", conf, "create-access-key", "--user-name",
                     bench, NULL};
        return run(a, NULL, 0);
    }
    case V_GET_USER:
    case V_LIST_GROUPS: {
        const char *a[] = {iamctl, "--config", conf,
                     v == V_GET_USER ? "get-user" : "list-groups-for-user", "--user-name", user, NULL};
        return run(a, NULL, 0);
    }
    case V_SIMULATE: {
        const char *a[] = {iamctl, "--config", conf, "simulate-principal-policy",
                     "--policy-source-arn", arn, "--action-names", "host:Login", "--resource-arns",
                     HOST_ARN, NULL};
        return run(a, NULL, 0);
    }
    case V_COMPILE: {
        const char *a[] = {iamctl, "--config", conf, "compile", NULL};
        return run(a, NULL, 0);
    }
    default: {
        const char *a[] = {iamctl, "--version", NULL};
        return run(a, NULL, 0);
    }
    }
}

struct side {
    struct result r[V_N];
    bool measured;
    long long store_bytes, export_bytes;
};

/* Import into a fresh store (or JSON database) under d, import_runs times (with a limit). */
static void measure_import(const char *iamctl, const char *d, const char *export_path,
                           const char *db_name, unsigned n_runs, unsigned limit, struct side *out) {
    struct sample s[MAX_RUNS];
    char *conf = xasprintf("%s/iam.conf", d), *db = xasprintf("%s/%s", d, db_name);
    char *cache = xasprintf("%s/cache", d), *src = xasprintf("file://%s", export_path);

    for (unsigned i = 0; i < n_runs; i++) {
        const char *init[] = {iamctl, "--config", conf, "init", "--account-id", ACCOUNT,
                        "--host-arn", HOST_ARN, "--database", db, "--cache-dir", cache,
                        "--audit-log", "none", "--uid-min", "200000", "--uid-max", "999999", NULL};
        const char *imp[] = {iamctl, "--config", conf, "import", "--authorization-details", src,
                       NULL};
        const char *rm[] = {"/bin/rm", "-rf", conf, db, cache, NULL};
        char *wal = xasprintf("%s-wal", db), *shm = xasprintf("%s-shm", db);
        const char *rm_side[] = {"/bin/rm", "-f", wal, shm, NULL};
        if (!run(rm, NULL, 0).ok || !run(rm_side, NULL, 0).ok)
            exit(1);
        free(wal);
        free(shm);
        if (!run(init, NULL, 0).ok) {
            fprintf(stderr, "%s init failed\n", iamctl);
            exit(1);
        }
        s[i] = run(imp, NULL, limit);
        if (!s[i].ok && !s[i].timed_out)
            fprintf(stderr, "warning: %s import failed\n", iamctl);
    }
    out->r[V_IMPORT] = summarize(s, n_runs);
    {
        struct stat st;
        out->store_bytes = stat(db, &st) == 0 ? st.st_size : -1;
    }
    free(conf);
    free(db);
    free(cache);
    free(src);
}

/* The verbs against the configuration conf, n_runs times each. */
static void measure_verbs(const char *iamctl, const char *conf, unsigned n, unsigned n_runs,
                          struct side *out) {
    for (int v = V_CREATE_USER; v < V_N; v++) {
        struct sample s[MAX_RUNS];
        for (unsigned r = 0; r < n_runs; r++)
            s[r] = run_verb(iamctl, conf, (enum verb)v, r, n);
        out->r[v] = summarize(s, n_runs);
        if (out->r[v].n_ok != n_runs)
            fprintf(stderr, "warning: %s %s: %zu of %u runs failed\n", iamctl, verb_names[v],
                    n_runs - out->r[v].n_ok, n_runs);
    }
    out->measured = true;
}

/* ---- the table -------------------------------------------------------------------------------------- */

struct size_result {
    unsigned n;
    struct side store, json;
    double load_before, load_after; /* 1-minute load average around this size's runs */
};

static double load1(void) {
    double l[1] = {-1};
    return getloadavg(l, 1) == 1 ? l[0] : -1;
}

/* wall and CPU (user + system) of one result: "812.3 ms / 401.2 ms" */
static void fmt_cpu(char *buf, size_t size, const struct result *r) {
    if (r->n_ok == 0)
        snprintf(buf, size, "-");
    else if (r->cpu_median >= 1)
        snprintf(buf, size, "%.2f s", r->cpu_median);
    else
        snprintf(buf, size, "%.1f ms", r->cpu_median * 1000);
}

static void fmt_time(char *buf, size_t size, const struct result *r, unsigned limit) {
    if (r->timed_out && r->n_ok == 0)
        snprintf(buf, size, "> %u s", limit);
    else if (r->n_ok == 0)
        snprintf(buf, size, "failed");
    else if (r->median >= 1)
        snprintf(buf, size, "%.2f s", r->median);
    else
        snprintf(buf, size, "%.1f ms", r->median * 1000);
}

static void print_table(const struct size_result *sr, size_t n_sizes, bool baseline) {
    printf("\n%-27s %8s %12s %12s %12s %8s %10s %10s\n", "verb", "users", "JSON (0.1)", "store",
           "store CPU", "ratio", "RSS store", "RSS JSON");
    for (int v = 0; v < V_N; v++)
        for (size_t i = 0; i < n_sizes; i++) {
            const struct result *a = &sr[i].json.r[v], *b = &sr[i].store.r[v];
            char ta[32] = "-", tb[32], tc[32], ratio[16] = "-", rss_json[24] = "-";
            fmt_time(tb, sizeof(tb), b, baseline_limit);
            fmt_cpu(tc, sizeof(tc), b);
            if (baseline && sr[i].json.measured) {
                fmt_time(ta, sizeof(ta), a, baseline_limit);
                if (a->n_ok && b->n_ok && b->median > 0)
                    snprintf(ratio, sizeof(ratio), "%.1fx", a->median / b->median);
                else if (a->timed_out && b->n_ok)
                    snprintf(ratio, sizeof(ratio), ">%.0fx", baseline_limit / b->median);
            }
            if (baseline && sr[i].json.measured && a->rss_kb)
                snprintf(rss_json, sizeof(rss_json), "%.1f MB", (double)a->rss_kb / 1024);
            printf("%-27s %8u %12s %12s %12s %8s %7.1f MB %10s\n", i ? "" : verb_names[v],
                   sr[i].n, ta, tb, tc, ratio, (double)b->rss_kb / 1024, rss_json);
        }
}

/* The targets, checked on this run's medians. */
static void print_targets(const struct size_result *sr, size_t n_sizes) {
    const struct size_result *small = NULL, *mid = NULL, *big = NULL;
    long rss = 0;
    bool met;

    for (size_t i = 0; i < n_sizes; i++) {
        if (sr[i].n == 1000)
            small = &sr[i];
        if (sr[i].n == 10000)
            mid = &sr[i];
        if (sr[i].n == 100000)
            big = &sr[i];
        for (int v = 0; v < V_N; v++)
            if (sr[i].store.r[v].rss_kb > rss && sr[i].n == 100000)
                rss = sr[i].store.r[v].rss_kb;
    }
    printf("\ntargets (store, this run):\n");
    if (big) {
        met = big->store.r[V_IMPORT].n_ok && big->store.r[V_IMPORT].median <= 5.0;
        printf("  %-4s import at 100,000 <= 5 s: %.2f s (CPU %.2f s)\n", met ? "met" : "MISS",
               big->store.r[V_IMPORT].median, big->store.r[V_IMPORT].cpu_median);
        if (mid) {
            double g = big->store.r[V_IMPORT].median / mid->store.r[V_IMPORT].median;
            printf("  %-4s import 10,000 -> 100,000 within 12x: %.1fx\n", g <= 12 ? "met" : "MISS", g);
        }
        for (int v = V_CREATE_USER; v <= V_ACCESS_KEY; v++) {
            double t = big->store.r[v].median, ts = small ? small->store.r[v].median : 0;
            printf("  %-4s %s <= 300 ms at 100,000: %.1f ms (CPU %.1f ms)",
                   t <= 0.3 ? "met" : "MISS", verb_names[v], t * 1000,
                   big->store.r[v].cpu_median * 1000);
            if (small)
                printf("; <= 30 ms at 1,000: %.1f ms %s", ts * 1000, ts <= 0.03 ? "(met)" : "(MISS)");
            printf("\n");
        }
        for (int v = V_GET_USER; v <= V_SIMULATE; v++) {
            double t = big->store.r[v].median, ts = small ? small->store.r[v].median : t;
            printf("  %-4s %s <= 20 ms at 100,000 and within 2x of 1,000: %.1f ms (%.2fx; CPU "
                   "%.1f ms)\n",
                   t <= 0.02 && t <= 2 * ts ? "met" : "MISS", verb_names[v], t * 1000, t / ts,
                   big->store.r[v].cpu_median * 1000);
        }
        met = big->store.r[V_COMPILE].median <= 1.0;
        printf("  %-4s compile <= 1 s at 100,000: %.2f s (CPU %.2f s)\n", met ? "met" : "MISS",
               big->store.r[V_COMPILE].median, big->store.r[V_COMPILE].cpu_median);
        printf("  %-4s peak RSS of any verb <= 200 MB at 100,000: %.1f MB\n",
               rss <= 200 * 1024 ? "met" : "MISS", (double)rss / 1024);
        printf("  %-4s store on disk <= the export (indented): %.1f MB vs %.1f MB\n",
               big->store.store_bytes <= big->store.export_bytes ? "met" : "MISS",
               (double)big->store.store_bytes / 1048576, (double)big->store.export_bytes / 1048576);
    }
    if (small && small->json.measured)
        printf("  %-4s start as fast as 0.1 (--version): %.2f ms vs %.2f ms\n",
               small->store.r[V_START].median <= small->json.r[V_START].median * 1.25 ? "met" : "MISS",
               small->store.r[V_START].median * 1000, small->json.r[V_START].median * 1000);
}

static void measure_size(struct size_result *out, unsigned n) {
    char *d = xasprintf("%s/%u", dir, n), *export_path = xasprintf("%s/export.json", d);
    char *sd = xasprintf("%s/store", d), *jd = xasprintf("%s/json", d);
    char *conf, *db, *cache;
    struct stat st;

    if (mkdir(d, 0700) < 0 || mkdir(sd, 0700) < 0 || mkdir(jd, 0700) < 0 ||
        write_account(export_path, n, false) < 0 || stat(export_path, &st) < 0)
        exit(1);
    out->n = n;
    out->load_before = load1();
    out->store.export_bytes = st.st_size;
    fprintf(stderr, "%u users: importing into the store...\n", n);
    measure_import(new_iamctl, sd, export_path, "iam.db", import_runs, 0, &out->store);
    conf = xasprintf("%s/iam.conf", sd);
    fprintf(stderr, "%u users: the store's verbs...\n", n);
    measure_verbs(new_iamctl, conf, n, runs, &out->store);
    free(conf);
    if (old_iamctl) {
        /* the verbs on a JSON database written directly (its import does not finish at
         * 100,000), then its import once, with a time limit */
        db = xasprintf("%s/iam.json", jd);
        conf = xasprintf("%s/iam.conf", jd);
        cache = xasprintf("%s/cache", jd);
        if (write_account(db, n, true) < 0 || chmod(db, 0600) < 0)
            exit(1);
        write_conf(conf, db, cache);
        {
            const char *c[] = {old_iamctl, "--config", conf, "compile", NULL};
            if (!run(c, NULL, 0).ok)
                fprintf(stderr, "warning: 0.1 compile failed\n");
        }
        fprintf(stderr, "%u users: the JSON database's verbs...\n", n);
        measure_verbs(old_iamctl, conf, n, baseline_runs, &out->json);
        free(conf);
        free(db);
        free(cache);
        fprintf(stderr, "%u users: the JSON database's import (limit %u s)...\n", n,
                baseline_limit);
        {
            char *id = xasprintf("%s/import", jd);
            if (mkdir(id, 0700) < 0)
                exit(1);
            measure_import(old_iamctl, id, export_path, "iam.json", 1, baseline_limit, &out->json);
            free(id);
        }
    }
    out->load_after = load1();
    free(d);
    free(export_path);
    free(sd);
    free(jd);
}

int main(int argc, char *argv[]) {
    unsigned sizes[8] = {1000, 10000, 100000};
    size_t n_sizes = 3;
    struct size_result *sr;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "%s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--iamctl") == 0)
            new_iamctl = v;
        else if (strcmp(a, "--baseline") == 0)
            old_iamctl = v;
        else if (strcmp(a, "--runs") == 0)
            runs = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--baseline-runs") == 0)
            baseline_runs = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--import-runs") == 0)
            import_runs = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--keep") == 0)
            keep = strcmp(v, "0") != 0;
        else if (strcmp(a, "--baseline-limit") == 0)
            baseline_limit = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--sizes") == 0) {
            char *copy = strdup(v), *save = NULL;
            n_sizes = 0;
            for (char *t = strtok_r(copy, ",", &save); t && n_sizes < 8; t = strtok_r(NULL, ",", &save))
                sizes[n_sizes++] = (unsigned)strtoul(t, NULL, 10);
            free(copy);
        } else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!new_iamctl || runs < 1 || runs > MAX_RUNS || baseline_runs < 1 ||
        baseline_runs > MAX_RUNS || import_runs < 1 || import_runs > MAX_RUNS) {
        fprintf(stderr, "usage: %s --iamctl IAMCTL [--baseline OLD_IAMCTL] [--sizes 1000,...] "
                        "[--runs N] [--baseline-runs N] [--import-runs N] [--baseline-limit S] "
                        "[--keep 1]\n",
                argv[0]);
        return 2;
    }
    dir = iamtest_mkdtemp();
    if (!dir)
        return 1;
    {
        char *p = xasprintf("%s/passwd", dir), *g = xasprintf("%s/group", dir);
        free(iamtest_write_file(dir, "passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644));
        free(iamtest_write_file(dir, "group", "root:x:0:\n", 10, 0644));
        setenv("IAMCTL_PASSWD_FILE", p, 1);
        setenv("IAMCTL_GROUP_FILE", g, 1);
        free(p);
        free(g);
    }
    sr = calloc(n_sizes ? n_sizes : 1, sizeof(*sr));
    if (!sr)
        return 1;
    for (size_t i = 0; i < n_sizes; i++)
        measure_size(&sr[i], sizes[i]);
    printf("account: N users, N/10 groups, 5 memberships per user, one inline policy per group; "
           "medians of %u runs (store), %u (JSON), imports %u (store), 1 (JSON, limit %u s)\n",
           runs, baseline_runs, import_runs, baseline_limit);
    for (size_t i = 0; i < n_sizes; i++)
        printf("%u users: export %.1f MB, store %.1f MB; load average %.2f before, %.2f after\n",
               sr[i].n, (double)sr[i].store.export_bytes / 1048576,
               (double)sr[i].store.store_bytes / 1048576, sr[i].load_before, sr[i].load_after);
    print_table(sr, n_sizes, old_iamctl != NULL);
    print_targets(sr, n_sizes);
    if (keep)
        printf("accounts kept in %s\n", dir);
    else
        iamtest_rmtree(dir);
    free(dir);
    free(sr);
    return 0;
}
