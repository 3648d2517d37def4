/* SPDX-License-Identifier: Apache-2.0 */
/* Publishing a bundle into a directory that web servers, CDNs or `aws s3 sync` serve as is. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle_private.h"
#include "iam/bundle.h"
#include "iam/fileio.h"

#define PUBLISH_LOCK_WAIT_MS 60000

static int oom(struct iam_error *e) {
    iam_error_set(e, 0, 0, 0, "out of memory");
    return -ENOMEM;
}

static int ensure_dir(const char *dir, struct iam_error *e) {
    struct stat sb;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int r = -errno;
        iam_error_set(e, 0, 0, 0, "%s: cannot create the bundle directory: %s", dir, strerror(-r));
        return r;
    }
    if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        iam_error_set(e, 0, 0, 0, "%s: not a directory", dir);
        return -ENOTDIR;
    }
    return 0;
}

/* One publisher at a time: flock() on the directory itself, so the directory holds nothing
 * but the bundle (a lock file would be served, or synced to a bucket). */
static int lock_dir(const char *dir, struct iam_error *e) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        int r = -errno;
        iam_error_set(e, 0, 0, 0, "%s: %s", dir, strerror(-r));
        return r;
    }
    for (unsigned waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= PUBLISH_LOCK_WAIT_MS) {
            iam_error_set(e, 0, 0, 0,
                          "%s: another publish held the directory for more than "
                          "%d s; try again",
                          dir, PUBLISH_LOCK_WAIT_MS / 1000);
            close(fd);
            return -EAGAIN;
        }
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    return fd;
}

/* The directory's manifest, if it verifies with our own key: 1 and *ret filled; 0 when there
 * is none that does (a first publish, or another publisher's). */
static int previous_manifest(const char *dir, const struct iam_bundle_signing_key *key,
                             struct iam_bundle_manifest *ret) {
    struct iam_error e;
    char *path = NULL, *buf = NULL;
    size_t len = 0;
    int r = 0;

    iam_error_init(&e);
    if (asprintf(&path, "%s/" IAM_BUNDLE_MANIFEST, dir) < 0)
        return -ENOMEM;
    if (iam_file_read_safe(path, IAM_BUNDLE_MANIFEST_MAX, &buf, &len, &e) == 0 &&
        iam_bundle_manifest_open(buf, len, key->pk, ret, &e) == 0)
        r = 1;
    free(buf);
    free(path);
    return r;
}

/* Whether dir/name holds exactly what f says. */
static bool file_matches(const char *dir, const struct iam_bundle_file *f) {
    struct iam_error e;
    char *path = NULL, *buf = NULL;
    size_t len = 0;
    bool ok = false;

    iam_error_init(&e);
    if (asprintf(&path, "%s/%s", dir, f->path) < 0)
        return false;
    if (iam_file_read_safe(path, (size_t)f->size + 1, &buf, &len, &e) == 0 &&
        iam_bundle_file_check(f, buf, len, &e) == 0)
        ok = true;
    free(buf);
    free(path);
    return ok;
}

/* Name f after its content and write it, unless a file of that name and content is there. */
static int put_file(const char *dir, size_t which, const void *data, size_t len,
                    uint64_t content_size, struct iam_bundle_file *f, struct iam_error *e) {
    char hex[17];
    char *path = NULL;
    int r;

    crypto_hash_sha256(f->sha256, data, len);
    sodium_bin2hex(hex, sizeof(hex), f->sha256, 8);
    snprintf(f->path, sizeof(f->path), "%s.%s%s", bundle_file_key[which], hex,
             bundle_file_suffix[which]);
    f->size = len;
    f->content_size = content_size;
    if (file_matches(dir, f))
        return 0;
    if (asprintf(&path, "%s/%s", dir, f->path) < 0)
        return oom(e);
    r = iam_file_write_atomic(path, data, len, 0644, e);
    free(path);
    return r;
}

/* Web servers derive a static file's validators from its modification time in whole
 * seconds and its size (nginx's ETag is "<mtime hex>-<size hex>", Last-Modified has
 * seconds): two manifests of one size written within the same second would look the same to
 * a host's conditional GET, which would then keep the older bundle. So the new manifest's
 * modification time is made later, in whole seconds, than the one it replaced (a clock a
 * second ahead for a publisher that publishes twice in a second). Set just after the rename:
 * a host asking in between is answered as before and takes the bundle at its next pull. */
static void newer_than(const char *path, const struct stat *prev) {
    struct stat st;

    if (stat(path, &st) == 0 && st.st_mtim.tv_sec <= prev->st_mtim.tv_sec) {
        struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT},
                                 {.tv_sec = prev->st_mtim.tv_sec + 1, .tv_nsec = 0}};
        (void)utimensat(AT_FDCWD, path, ts, 0); /* at worst, hosts catch up a pull later */
    }
}

static bool named_by(const struct iam_bundle_manifest *m, const char *name) {
    for (size_t i = 0; m && i < IAM_BUNDLE_N_FILES; i++)
        if (strcmp(m->files[i].path, name) == 0)
            return true;
    return false;
}

static bool has_prefix(const char *name, const char *prefix) {
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* Leftovers of an interrupted atomic write: "<our file name>.XXXXXX". */
static bool is_our_temp(const char *name) {
    size_t n = strlen(name);
    bool ours = has_prefix(name, IAM_BUNDLE_MANIFEST ".");

    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++) {
        char prefix[32];

        snprintf(prefix, sizeof(prefix), "%s.", bundle_file_key[i]);
        ours = ours || has_prefix(name, prefix);
    }
    return ours && n > 7 && name[n - 7] == '.' && !bundle_path_any(name);
}

/* Remove our data files that neither manifest names, and temporary leftovers. */
static uint64_t remove_stale(const char *dir, const struct iam_bundle_manifest *cur,
                             const struct iam_bundle_manifest *prev) {
    DIR *d = opendir(dir);
    uint64_t n = 0;

    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d));) {
        const char *name = de->d_name;
        bool ours = bundle_path_any(name);

        if ((ours && !named_by(cur, name) && !named_by(prev, name)) || is_our_temp(name))
            if (unlinkat(dirfd(d), name, 0) == 0)
                n++;
    }
    closedir(d);
    return n;
}

/* The previous bundle's files can stand for this one: same account state, same settings,
 * same fleet key, and every file intact. */
static bool can_reuse(const struct iam_bundle_publish *p, const struct iam_bundle_manifest *prev) {
    if (!prev || prev->serial != p->serial || strcmp(prev->account_id, p->account_id) != 0 ||
        sodium_memcmp(prev->settings, p->settings, 32) != 0 ||
        sodium_memcmp(prev->fleet_pk, p->fleet_pk, 32) != 0 ||
        prev->files[IAM_BUNDLE_NSS].content_size != p->nss_len ||
        prev->files[IAM_BUNDLE_AUTH].content_size != p->auth_len ||
        prev->files[IAM_BUNDLE_SSH].content_size != p->ssh_len)
        return false;
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
        if (!file_matches(p->dir, &prev->files[i]))
            return false;
    return true;
}

/* A public data file (nss.cache, ssh_keys.cache): gzip, then in place. */
static int put_public(const struct iam_bundle_publish *p, size_t which, const void *data,
                      size_t plain_size, struct iam_bundle_manifest *m, struct iam_error *e) {
    void *gz = NULL;
    size_t gzlen = 0;
    int r = bundle_gzip(data, plain_size, p->compress_level ? p->compress_level : 6, &gz, &gzlen,
                        e);

    if (r >= 0)
        r = put_file(p->dir, which, gz, gzlen, plain_size, &m->files[which], e);
    free(gz);
    return r;
}

/* Every data file, new. */
static int put_files(const struct iam_bundle_publish *p, struct iam_bundle_manifest *m,
                     struct iam_error *e) {
    int level = p->compress_level ? p->compress_level : 6;
    void *agz = NULL;
    unsigned char *sealed = NULL;
    size_t agzlen = 0;
    int r;

    if ((r = put_public(p, IAM_BUNDLE_NSS, p->nss, p->nss_len, m, e)) < 0 ||
        (r = put_public(p, IAM_BUNDLE_SSH, p->ssh, p->ssh_len, m, e)) < 0 ||
        (r = bundle_gzip(p->auth, p->auth_len, level, &agz, &agzlen, e)) < 0)
        goto out;
    if (!(sealed = malloc(agzlen + crypto_box_SEALBYTES))) {
        r = oom(e);
        goto out;
    }
    if (crypto_box_seal(sealed, agz, agzlen, p->fleet_pk) != 0) {
        iam_error_set(e, 0, 0, 0, "the fleet public key is not usable");
        r = -EINVAL;
        goto out;
    }
    r = put_file(p->dir, IAM_BUNDLE_AUTH, sealed, agzlen + crypto_box_SEALBYTES, p->auth_len,
                 &m->files[IAM_BUNDLE_AUTH], e);
out:
    if (agz)
        sodium_memzero(agz, agzlen); /* compressed secret hashes */
    free(agz);
    free(sealed);
    return r;
}

int iam_bundle_publish(const struct iam_bundle_publish *p, struct iam_bundle_publish_report *ret,
                       struct iam_error *reterr) {
    struct iam_bundle_manifest m, prev;
    bool have_prev = false, reused = false;
    char *mpath = NULL, *mtext = NULL;
    size_t mlen = 0;
    struct stat prev_st;
    bool have_prev_st;
    int lock_fd = -1, r;

    memset(&m, 0, sizeof(m));
    if ((r = ensure_dir(p->dir, reterr)) < 0)
        return r;
    if (asprintf(&mpath, "%s/" IAM_BUNDLE_MANIFEST, p->dir) < 0) {
        mpath = NULL;
        r = oom(reterr);
        goto out;
    }
    if ((lock_fd = lock_dir(p->dir, reterr)) < 0) {
        r = lock_fd;
        goto out;
    }
    if ((r = previous_manifest(p->dir, p->signing, &prev)) < 0) {
        r = oom(reterr);
        goto out;
    }
    have_prev = r == 1;
    memcpy(m.account_id, p->account_id, 12);
    m.serial = p->serial;
    m.created = p->created;
    m.expires = p->expires;
    memcpy(m.fleet_pk, p->fleet_pk, 32);
    memcpy(m.settings, p->settings, 32);
    if (can_reuse(p, have_prev ? &prev : NULL)) {
        memcpy(m.files, prev.files, sizeof(m.files));
        reused = true;
    } else if ((r = put_files(p, &m, reterr)) < 0) {
        goto out;
    }
    /* the data files are in place: now the manifest that names them, in one rename */
    have_prev_st = stat(mpath, &prev_st) == 0;
    if ((r = iam_bundle_manifest_seal(&m, p->signing, &mtext, &mlen, reterr)) < 0 ||
        (r = iam_file_write_atomic(mpath, mtext, mlen, 0644, reterr)) < 0)
        goto out;
    if (have_prev_st)
        newer_than(mpath, &prev_st);
    ret->manifest = m;
    ret->reused = reused;
    /* keep the previous bundle's files for hosts that fetched its manifest a moment ago */
    ret->removed = have_prev ? remove_stale(p->dir, &m, &prev) : 0;
    r = 0;
out:
    if (lock_fd >= 0)
        close(lock_fd);
    free(mpath);
    free(mtext);
    return r;
}
