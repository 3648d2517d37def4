/* SPDX-License-Identifier: Apache-2.0 */
/* Installing the two caches as one generation (iam/caches.h) and reading them back the way
 * the modules do (iam_cache_dir.h): the layout, the clean-up of old generations and of what
 * a crash leaves, a reader racing installs, installs killed at random moments, and layouts a
 * hostile user or a careless administrator could leave, which the readers must refuse.
 * Needs root for the ownership cases (skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/caches.h"
#include "iam_cache_dir.h"
#include "iamtest.h"

#define IMAGE_SIZE (128u * 1024u)

struct fx {
    char *top;  /* scratch directory */
    char *dir;  /* the cache directory in it */
    char *nss;  /* <dir>/nss.cache */
    char *auth; /* <dir>/auth.cache */
};

/* dir/name, written with mode (test files only) */
static void put(const char *dir, const char *name, const char *text, unsigned mode) {
    char *p = iamtest_write_file(dir, name, text, strlen(text), mode);

    assert_non_null(p);
    free(p);
}

/* dir/name in a static buffer (one at a time: the tests are single-threaded) */
static const char *at(const char *dir, const char *name) {
    static char buf[4096];

    assert_true(snprintf(buf, sizeof(buf), "%s/%s", dir, name) < (int)sizeof(buf));
    return buf;
}

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->top = iamtest_mkdtemp();
    assert_non_null(f->top);
    assert_true(asprintf(&f->dir, "%s/cache", f->top) > 0);
    assert_true(asprintf(&f->nss, "%s/nss.cache", f->dir) > 0);
    assert_true(asprintf(&f->auth, "%s/auth.cache", f->dir) > 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;

    iamtest_rmtree(f->top);
    free(f->top);
    free(f->dir);
    free(f->nss);
    free(f->auth);
    free(f);
    return 0;
}

/* An image that says which install wrote it: "<kind> <k>\n" then filler to IMAGE_SIZE. */
static char *image(const char *kind, unsigned k) {
    char *p = malloc(IMAGE_SIZE);
    int n;

    assert_non_null(p);
    memset(p, 'x', IMAGE_SIZE);
    n = snprintf(p, 64, "%s %u\n", kind, k);
    p[n] = 'x';
    return p;
}

static int install(const struct fx *f, unsigned k, uint64_t *gen) {
    char *n = image("nss", k), *a = image("auth", k);
    struct iam_error e;
    int r;

    iam_error_init(&e);
    r = iam_caches_install(f->dir, n, IMAGE_SIZE, a, IMAGE_SIZE, gen, &e);
    free(n);
    free(a);
    return r;
}

/* Open path the way the readers do and return k of "<kind> <k>", checking the whole file
 * arrived (IMAGE_SIZE bytes); -errno when it cannot be opened, -EBADMSG when torn. */
static long read_k(const char *path, const char *kind) {
    struct stat st;
    char *buf;
    unsigned k;
    ssize_t got = 0;
    int fd, r;

    r = iam_cache_open(path, geteuid(), &fd, &st);
    if (r < 0)
        return r;
    buf = malloc(IMAGE_SIZE + 1);
    assert_non_null(buf);
    while (got < (ssize_t)IMAGE_SIZE + 1) {
        ssize_t n = read(fd, buf + got, IMAGE_SIZE + 1 - (size_t)got);
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    buf[got > 0 ? got - 1 : 0] = '\0';
    r = -EBADMSG;
    if (got == (ssize_t)IMAGE_SIZE && strncmp(buf, kind, strlen(kind)) == 0 &&
        buf[strlen(kind)] == ' ') {
        char *end = NULL;
        unsigned long v = strtoul(buf + strlen(kind) + 1, &end, 10);
        if (end && *end == '\n' && v <= 0xffffffffu) {
            k = (unsigned)v;
            r = 0;
        }
    }
    free(buf);
    return r < 0 ? r : (long)k;
}

static int count_gens(const char *dir, int *leftovers) {
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    uint64_t g;

    assert_non_null(d);
    *leftovers = 0;
    while ((de = readdir(d))) {
        if (iam_cache_gen_parse(de->d_name, strlen(de->d_name), &g))
            n++;
        else if (strstr(de->d_name, ".new"))
            (*leftovers)++;
    }
    closedir(d);
    return n;
}

static void test_layout(void **state) {
    struct fx *f = *state;
    char link[64];
    struct stat a, b;
    uint64_t gen = 0;
    ssize_t n;
    int left;

    assert_int_equal(install(f, 1, &gen), 0);
    assert_int_equal(gen, 1);
    n = readlink(at(f->dir, "current"), link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    assert_string_equal(link, "gen.0000000000000001");
    /* modes, and the plain names are the current generation's files (hard links) */
    assert_int_equal(stat(at(f->dir, "gen.0000000000000001/nss.cache"), &a), 0);
    assert_int_equal(a.st_mode & 07777, 0644);
    assert_int_equal(stat(f->nss, &b), 0);
    assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    assert_int_equal(stat(at(f->dir, "gen.0000000000000001/auth.cache"), &a), 0);
    assert_int_equal(a.st_mode & 07777, 0600);
    assert_int_equal(lstat(f->auth, &b), 0);
    assert_true(S_ISREG(b.st_mode) && a.st_ino == b.st_ino);
    assert_int_equal(stat(at(f->dir, "gen.0000000000000001"), &a), 0);
    assert_int_equal(a.st_mode & 07777, 0755);
    assert_int_equal(read_k(f->nss, "nss"), 1);
    assert_int_equal(read_k(f->auth, "auth"), 1);

    /* the one before stays, older ones go */
    assert_int_equal(install(f, 2, &gen), 0);
    assert_int_equal(gen, 2);
    assert_int_equal(count_gens(f->dir, &left), 2);
    assert_int_equal(install(f, 3, &gen), 0);
    assert_int_equal(count_gens(f->dir, &left), 2);
    assert_int_equal(left, 0);
    assert_int_equal(access(at(f->dir, "gen.0000000000000001"), F_OK), -1);
    assert_int_equal(read_k(f->nss, "nss"), 3);
    assert_int_equal(read_k(f->auth, "auth"), 3);
}

/* What a crash leaves (a half-written generation, temporary links) goes at the next install;
 * a cache directory of the older layout (plain files) is taken over. */
static void test_leftovers(void **state) {
    struct fx *f = *state;
    int left;

    assert_int_equal(mkdir(f->dir, 0755), 0);
    put(f->dir, "nss.cache", "old", 0644);
    put(f->dir, "auth.cache", "old", 0600);
    /* a plain directory is read as before */
    assert_int_equal(read_k(f->nss, "nss"), -EBADMSG);
    assert_int_equal(install(f, 1, NULL), 0);
    assert_int_equal(read_k(f->nss, "nss"), 1);
    assert_int_equal(mkdir(at(f->dir, "gen.0000000000000002"), 0755), 0);
    put(f->dir, "gen.0000000000000002/nss.cache", "half", 0644);
    assert_int_equal(mkdir(at(f->dir, "gen.00000000000000ff"), 0755), 0);
    assert_int_equal(symlink("gen.0000000000000002", at(f->dir, "current.new")), 0);
    put(f->dir, "nss.cache.new", "x", 0644);
    assert_int_equal(install(f, 2, NULL), 0);
    assert_int_equal(read_k(f->nss, "nss"), 2);
    assert_int_equal(read_k(f->auth, "auth"), 2);
    assert_int_equal(count_gens(f->dir, &left), 2); /* gen.1 and gen.2 */
    assert_int_equal(left, 0);
    assert_int_equal(access(at(f->dir, "gen.00000000000000ff"), F_OK), -1);
}

/* The installer refuses a directory it cannot trust. */
static void test_install_refuses(void **state) {
    struct fx *f = *state;
    struct iam_error e;
    char *cur = strdup(at(f->dir, "current")), *linked = strdup(at(f->top, "linked"));

    assert_non_null(cur);
    assert_non_null(linked);
    assert_int_equal(mkdir(f->dir, 0777), 0);
    assert_int_equal(chmod(f->dir, 0777), 0);
    iam_error_init(&e);
    assert_int_equal(iam_caches_install(f->dir, "n", 1, "a", 1, NULL, &e), -EACCES);
    assert_non_null(strstr(e.text, "refusing"));
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(symlink("../elsewhere", cur), 0);
    iam_error_init(&e);
    assert_int_equal(iam_caches_install(f->dir, "n", 1, "a", 1, NULL, &e), -EACCES);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(mkdir(cur, 0755), 0);
    iam_error_init(&e);
    assert_int_equal(iam_caches_install(f->dir, "n", 1, "a", 1, NULL, &e), -EACCES);
    /* a symbolic link as the cache directory */
    assert_int_equal(symlink(f->dir, linked), 0);
    iam_error_init(&e);
    assert_int_equal(iam_caches_install(linked, "n", 1, "a", 1, NULL, &e), -EACCES);
    free(cur);
    free(linked);
}

/* Layouts the readers must refuse (as root, "someone else" is uid 65534). */
static void test_reader_refuses(void **state) {
    struct fx *f = *state;
    struct stat st;
    char *cur, *gen, *file;
    int fd;

    assert_int_equal(install(f, 1, NULL), 0);
    cur = strdup(at(f->dir, "current"));
    assert_non_null(cur);
    gen = strdup(at(f->dir, "gen.0000000000000001"));
    assert_non_null(gen);
    file = strdup(at(gen, "nss.cache"));
    assert_non_null(file);
    assert_int_equal(iam_cache_open(f->nss, (uid_t)-1, &fd, &st), geteuid() == 0 ? 0 : -EACCES);
    if (geteuid() == 0)
        close(fd);
    {
        /* the path of the file opened, as iam_cache_current_path() gives it, and its stat:
         * the file a later stat of that path finds */
        char opened[4096], now[4096];
        struct stat st2;

        assert_int_equal(iam_cache_open_current(f->nss, geteuid(), &fd, &st, opened,
                                                sizeof(opened)), 0);
        close(fd);
        assert_string_equal(opened, file);
        assert_int_equal(iam_cache_current_path(f->nss, now, sizeof(now)), 0);
        assert_string_equal(opened, now);
        assert_int_equal(stat(opened, &st2), 0);
        assert_true(st2.st_dev == st.st_dev && st2.st_ino == st.st_ino);
        assert_int_equal(iam_cache_open_current(f->nss, geteuid(), &fd, &st, opened, 8),
                         -ENAMETOOLONG);
    }
    /* `current` pointing anywhere but a generation name next to it */
    const char *bad_targets[] = {"/etc",
                                 "../cache",
                                 "gen.0000000000000001/",
                                 "gen.zz",
                                 "gen.000000000000000",
                                 "gen.00000000000000011",
                                 "."};
    for (size_t i = 0; i < sizeof(bad_targets) / sizeof(bad_targets[0]); i++) {
        assert_int_equal(unlink(cur), 0);
        assert_int_equal(symlink(bad_targets[i], cur), 0);
        assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -EACCES);
    }
    /* `current` that is not a link */
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(mkdir(cur, 0755), 0);
    assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -EACCES);
    assert_int_equal(rmdir(cur), 0);
    /* a generation that is gone */
    assert_int_equal(symlink("gen.0000000000000009", cur), 0);
    assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -ENOENT);
    assert_int_equal(unlink(cur), 0);
    assert_int_equal(symlink("gen.0000000000000001", cur), 0);
    /* open to writes by others: the generation, the cache directory */
    assert_int_equal(chmod(gen, 0777), 0);
    assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -EACCES);
    assert_int_equal(chmod(gen, 0755), 0);
    assert_int_equal(chmod(f->dir, 0775), 0);
    assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -EACCES);
    assert_int_equal(chmod(f->dir, 0755), 0);
    /* a symbolic link where the file should be, inside the generation */
    assert_int_equal(unlink(file), 0);
    assert_int_equal(symlink("auth.cache", file), 0);
    assert_int_equal(iam_cache_open(f->nss, geteuid(), &fd, &st), -EACCES);
    if (geteuid() == 0) {
        /* owned by someone else: the generation, the cache directory */
        assert_int_equal(chown(gen, 65534, 65534), 0);
        assert_int_equal(iam_cache_open(f->auth, (uid_t)-1, &fd, &st), -EACCES);
        assert_int_equal(chown(gen, 0, 0), 0);
        assert_int_equal(iam_cache_open(f->auth, (uid_t)-1, &fd, &st), 0);
        close(fd);
        assert_int_equal(chown(f->dir, 65534, 65534), 0);
        assert_int_equal(iam_cache_open(f->auth, (uid_t)-1, &fd, &st), -EACCES);
        assert_int_equal(chown(f->dir, 0, 0), 0);
    }
    free(cur);
    free(gen);
    free(file);
}

/* A reader that opens auth.cache and then nss.cache by their paths, while installs run, never
 * gets an auth.cache newer than the nss.cache: after the switch both are new. (With two
 * renames, auth first, a reader could open the new auth.cache and then the old nss.cache.) */
static void test_race(void **state) {
    struct fx *f = *state;
    unsigned installs = 200, seen = 0, last = 0, reads = 0;
    pid_t pid;
    int st;

    assert_int_equal(install(f, 0, NULL), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (unsigned k = 1; k <= installs; k++)
            if (install(f, k, NULL) != 0)
                _exit(1);
        _exit(0);
    }
    for (;;) {
        long a = read_k(f->auth, "auth"), n = read_k(f->nss, "nss");
        pid_t w;

        if (a < 0 || n < 0)
            fail_msg("a reader could not open or read the caches: %ld %ld", a, n);
        if (n < a)
            fail_msg("auth.cache of install %ld with nss.cache of install %ld", a, n);
        if ((unsigned)a != last) {
            seen++;
            last = (unsigned)a;
        }
        reads++;
        w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
    }
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* the reader did watch the caches change under it */
    print_message("# %u reads saw %u different installs of %u\n", reads, seen, installs);
    assert_true(seen >= 2);
    assert_int_equal(read_k(f->nss, "nss"), installs);
}

/* Installs killed at random moments: the current pair is always whole and matching, and the
 * next install cleans up. */
static void test_killed(void **state) {
    struct fx *f = *state;
    unsigned kills = 150;
    int left;

    assert_int_equal(install(f, 0, NULL), 0);
    for (unsigned i = 1; i <= kills; i++) {
        struct timespec ts = {0, (long)randombytes_uniform(3000) * 1000};
        pid_t pid = fork();
        long a, n;
        int st;

        assert_true(pid >= 0);
        if (pid == 0) {
            for (unsigned k = i * 1000;; k++)
                if (install(f, k, NULL) != 0)
                    _exit(1);
        }
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFSIGNALED(st));
        a = read_k(f->auth, "auth");
        n = read_k(f->nss, "nss");
        if (a < 0 || n < 0 || a != n)
            fail_msg("after kill %u: auth %ld, nss %ld", i, a, n);
    }
    assert_int_equal(install(f, 1, NULL), 0);
    assert_int_equal(read_k(f->nss, "nss"), 1);
    assert_true(count_gens(f->dir, &left) <= 2);
    assert_int_equal(left, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_install_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
