/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What sshd pays to learn a user's keys, at N users (default 100,000), against sshd's plain
 * ~/.ssh/authorized_keys as the baseline:
 *
 *   exec iam-authorized-keys  sshd's way with the AuthorizedKeysCommand: fork, exec
 *                             iam-authorized-keys --config CONF --uid UID --fingerprint FP
 *                             USER (the package's drop-in), read its output from a pipe,
 *                             wait; it also writes the record for pam_iam (the target:
 *                             under 1 ms)
 *   exec cat authorized_keys  the cheapest command there could be, printing a plain
 *                             authorized_keys file of the same user's key: the floor of any
 *                             AuthorizedKeysCommand
 *   read authorized_keys      sshd's own way without a command: open the user's file, read
 *                             its lines, close (in this process, as sshd does)
 *   lookup ssh_keys.cache     the same answer from the cache in this process: open, header,
 *                             one table line, one record, close
 *
 * A random user each call. The four cases run interleaved, in a new random order each round,
 * so the machine's noise hits them alike. The cache is built with the writer the compile uses
 * (one ed25519 key per user, a second for every tenth user), in a temporary directory with
 * its own iam.conf. Prints per case the median and 90th percentile, and the ratios.
 *   bench_ssh_keys IAM_AUTHORIZED_KEYS [USERS] [ROUNDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/ssh_keys.h"
#include "ssh_keys_read.h"

enum { C_EXEC_IAM, C_EXEC_CAT, C_READ_FILE, C_LOOKUP, N_CASES };
static const char *const case_names[N_CASES] = {
    "exec iam-authorized-keys", "exec cat authorized_keys (floor of a command)",
    "read authorized_keys (sshd's own way)", "lookup ssh_keys.cache (in process)"};

static double now_us(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p) {
    qsort(v, n, sizeof(*v), cmp_double);
    return v[(size_t)(p * (double)(n - 1))];
}

static void die(const char *what) {
    fprintf(stderr, "bench_ssh_keys: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* "ssh-ed25519 " + base64 of the key blob (string "ssh-ed25519", string of 32 bytes). */
static char *make_key(void) {
    unsigned char blob[4 + 11 + 4 + 32] = {0,   0,   0,   11,  's', 's', 'h', '-', 'e', 'd',
                                           '2', '5', '5', '1', '9', 0,   0,   0,   32};
    char b64[128], *body;

    randombytes_buf(blob + 19, 32);
    sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
    if (asprintf(&body, "ssh-ed25519 %s", b64) < 0)
        die("asprintf");
    return body;
}

/* Run argv with stdout to a pipe, read it all, wait. The bytes read, or -1; *cpu_us the
 * child's own CPU time (user + system), which other people's load does not inflate. */
static long run(char *const argv[], double *cpu_us) {
    posix_spawn_file_actions_t fa;
    char buf[8192];
    long total = 0;
    struct rusage ru;
    int p[2], status;
    pid_t pid;
    ssize_t n;

    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    while ((n = read(p[0], buf, sizeof(buf))) > 0)
        total += n;
    close(p[0]);
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    return total;
}

static long read_file(const char *path) {
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    long n = 0;

    if (!f)
        return -1;
    while (getline(&line, &cap, f) > 0)
        n++;
    free(line);
    fclose(f);
    return n;
}

static long lookup(const char *path, const char *name) {
    struct iam_sshk *c = NULL;
    struct iam_sshk_user u;
    long n;

    if (iam_sshk_open(path, geteuid(), &c) < 0)
        return -1;
    n = iam_sshk_find(c, name, strlen(name), &u) == 0 ? (long)u.n_keys : -1;
    iam_sshk_user_free(&u);
    iam_sshk_close(c);
    return n;
}

int main(int argc, char *argv[]) {
    const char *prog = argc > 1 ? argv[1] : NULL;
    size_t n_users = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    size_t rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    char dir[] = "/tmp/bench_ssh_keys.XXXXXX", conf[256], cache[256], akfile[256], uidbuf[16];
    char progbuf[4096], namebuf[64], fpbuf[128], a_fp[] = "--fingerprint", records[300];
    char a_config[] = "--config", a_uid[] = "--uid",
                                     a_cat[] = "/bin/cat";
    struct iam_ssh_keys_user *users;
    struct iam_ssh_key_entry *keys;
    struct iam_error e;
    double *t[N_CASES], *cpu[N_CASES], med[N_CASES], p90[N_CASES], cmed[N_CASES];
    void *img;
    size_t img_len, nk = 0;
    FILE *f;

    if (!prog || n_users == 0 || rounds == 0) {
        fprintf(stderr, "usage: bench_ssh_keys IAM_AUTHORIZED_KEYS [USERS] [ROUNDS]\n");
        return 2;
    }
    snprintf(progbuf, sizeof(progbuf), "%s", prog);
    if (sodium_init() < 0 || !mkdtemp(dir))
        die("setup");
    snprintf(conf, sizeof(conf), "%s/iam.conf", dir);
    snprintf(cache, sizeof(cache), "%s/%s", dir, IAM_SSH_KEYS_CACHE_NAME);
    snprintf(akfile, sizeof(akfile), "%s/authorized_keys", dir);
    snprintf(records, sizeof(records), "%s/%s", dir, IAM_SSHK_LOGIN_DIR);
    if (mkdir(records, 0700) < 0)
        die(records);
    if (!(f = fopen(conf, "w")))
        die(conf);
    fprintf(f,
            "account_id = 123456789012\nhost_arn = arn:aws:ec2:us-east-1:123456789012:"
            "instance/i-0123456789abcdef0\ncache_dir = %s\naudit_log = none\n",
            dir);
    fclose(f);
    users = calloc(n_users, sizeof(*users));
    keys = calloc(n_users * 2, sizeof(*keys));
    if (!users || !keys)
        die("calloc");
    for (size_t i = 0; i < n_users; i++) {
        char *name, *id, fp[64];
        size_t k = i % 10 == 0 ? 2 : 1;

        if (asprintf(&name, "user%zu", i) < 0)
            die("asprintf");
        users[i] = (struct iam_ssh_keys_user){
            .name = name, .uid = (uint32_t)(200000 + i), .keys = keys + nk, .n_keys = k};
        for (size_t j = 0; j < k; j++, nk++) {
            keys[nk].body = make_key();
            if (iam_ssh_key_fingerprint(keys[nk].body, strlen(keys[nk].body), fp) < 0 ||
                asprintf(&id, "APKA%016zX", nk) < 0)
                die("key");
            keys[nk].id = id;
            keys[nk].fingerprint = strdup(fp);
        }
    }
    iam_error_init(&e);
    if (iam_ssh_keys_cache_build(users, n_users, 1, &img, &img_len, &e) < 0) {
        fprintf(stderr, "bench_ssh_keys: build: %s\n", e.text);
        exit(1);
    }
    if (!(f = fopen(cache, "w")) || fwrite(img, 1, img_len, f) != img_len || fclose(f) != 0)
        die(cache);
    free(img);
    /* the baseline file: one user's keys, as an authorized_keys file holds them */
    if (!(f = fopen(akfile, "w")))
        die(akfile);
    fprintf(f, "%s user0@laptop\n%s user0@desktop\n", users[0].keys[0].body, users[0].keys[1].body);
    fclose(f);
    chmod(conf, 0644);
    chmod(cache, 0644);

    for (int c = 0; c < N_CASES; c++)
        if (!(t[c] = calloc(rounds, sizeof(double))) || !(cpu[c] = calloc(rounds, sizeof(double))))
            die("calloc");
    for (size_t r = 0; r < rounds; r++) {
        int order[N_CASES] = {0, 1, 2, 3};
        size_t u = randombytes_uniform((uint32_t)n_users);

        for (int i = N_CASES - 1; i > 0; i--) {
            int j = (int)randombytes_uniform((uint32_t)i + 1), x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        snprintf(uidbuf, sizeof(uidbuf), "%u", users[u].uid);
        snprintf(namebuf, sizeof(namebuf), "%s", users[u].name);
        snprintf(fpbuf, sizeof(fpbuf), "%s", users[u].keys[0].fingerprint);
        for (int i = 0; i < N_CASES; i++) {
            char *iam_argv[] = {progbuf, a_config, conf, a_uid, uidbuf, a_fp, fpbuf, namebuf,
                                NULL};
            char *cat_argv[] = {a_cat, akfile, NULL};
            double t0 = now_us();
            long got;

            switch (order[i]) {
            case C_EXEC_IAM:
                got = run(iam_argv, &cpu[C_EXEC_IAM][r]);
                break;
            case C_EXEC_CAT:
                got = run(cat_argv, &cpu[C_EXEC_CAT][r]);
                break;
            case C_READ_FILE:
                got = read_file(akfile);
                break;
            default:
                got = lookup(cache, users[u].name);
                break;
            }
            t[order[i]][r] = now_us() - t0;
            if (got <= 0) {
                fprintf(stderr, "bench_ssh_keys: %s failed for %s\n", case_names[order[i]],
                        users[u].name);
                exit(1);
            }
        }
    }
    printf("ssh keys for sshd: %zu users, %zu keys, ssh_keys.cache %zu bytes; %zu rounds, "
           "cases interleaved in random order, a random user each round\n",
           n_users, nk, img_len, rounds);
    printf("%-48s %12s %12s %16s\n", "case", "median us", "p90 us", "child CPU us");
    for (int c = 0; c < N_CASES; c++) {
        p90[c] = pct(t[c], rounds, 0.9);
        med[c] = pct(t[c], rounds, 0.5);
        cmed[c] = pct(cpu[c], rounds, 0.5);
        if (c == C_EXEC_IAM || c == C_EXEC_CAT)
            printf("%-48s %12.1f %12.1f %16.1f\n", case_names[c], med[c], p90[c], cmed[c]);
        else
            printf("%-48s %12.1f %12.1f %16s\n", case_names[c], med[c], p90[c], "-");
    }
    printf("exec iam-authorized-keys / exec cat authorized_keys:   %.2f wall, %.2f child CPU\n",
           med[C_EXEC_IAM] / med[C_EXEC_CAT], cmed[C_EXEC_IAM] / cmed[C_EXEC_CAT]);
    printf("lookup ssh_keys.cache / read authorized_keys:          %.2f\n",
           med[C_LOOKUP] / med[C_READ_FILE]);
    printf("target: exec iam-authorized-keys median < 1000 us: wall %s, child CPU %s\n",
           med[C_EXEC_IAM] < 1000.0 ? "met" : "NOT met",
           cmed[C_EXEC_IAM] < 1000.0 ? "met" : "NOT met");
    unlink(conf);
    unlink(cache);
    unlink(akfile);
    {
        char rec[400];
        snprintf(rec, sizeof(rec), "%s/%ld", records, (long)getpid());
        unlink(rec);
    }
    rmdir(records);
    rmdir(dir);
    return 0;
}
