/* SPDX-License-Identifier: Apache-2.0 */
/* One pull: the manifest, its checks, the files, the host's own checks, the install. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/audit.h"
#include "iam/bundle.h"
#include "iam/caches.h"
#include "iam/fileio.h"
#include "iam/pull_state.h"
#include "nss_cache_read.h"
#include "ssh_keys_read.h"
#include "pull.h"
#include "pull_private.h"

#define PULL_LOCK_NAME "pull.lock"
#define PULL_LOCK_WAIT_MS 120000

struct pull {
    const struct iam_config *c;
    bool progress;
    uint8_t pk[32];
    struct iam_bundle_fleet_key fleet;
    struct iam_pull_state st;
    bool have_state;
    struct iam_bundle_manifest m;
    bool have_manifest;
    char etag[256];
    struct fetch_result files[IAM_BUNDLE_N_FILES];
    void *nss, *auth, *ssh;
    size_t nss_len, auth_len, ssh_len;
    struct pull_outcome *out;
};

/* Progress on a terminal: "iamctl: pull: <what> <arg>". */
static void say(const struct pull *p, const char *what, const char *arg) {
    if (p->progress)
        fprintf(stderr, "iamctl: pull: %s %s\n", what, arg);
}

/* The cache directory, created 0755 when missing; refused unless a directory owned by root
 * (or us) closed to group and other writes, as the cache installer requires. */
static int cache_dir_ready(const char *dir, struct iam_error *e) {
    struct stat sb;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int r = -errno;
        iam_error_set(e, 0, 0, 0, "%s: cannot create the cache directory: %s", dir, strerror(-r));
        return r;
    }
    if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || (sb.st_uid != 0 && sb.st_uid != geteuid()) ||
        (sb.st_mode & 022)) {
        iam_error_set(e, 0, 0, 0,
                      "%s: refusing to use the cache directory: not a root-owned "
                      "directory closed to group and other writes",
                      dir);
        return -EACCES;
    }
    return 0;
}

static int audit(const struct pull *p, enum pull_refusal why, const char *message) {
    struct iam_audit_record rec = {
        .event = IAM_AUDIT_PULL_BUNDLE,
        .event_source = "iamctl",
        .account_id = p->c->account_id,
        .user_agent = "iam-pull/" IAM_VERSION,
        .host_arn = p->c->host_arn,
        .bundle_url = p->c->bundle_url,
        .bundle_serial = p->have_manifest ? p->m.serial : 0,
        .installed_serial = p->out->serial,
        .error_code = why == PULL_OK ? NULL : pull_refusal_code(why),
        .error_message = message,
        .decision = why == PULL_OK ? "success" : "failure",
    };
    struct iam_error e;
    char *line = NULL;
    int r;

    if (strcmp(p->c->audit_log, "none") == 0)
        return 0;
    if ((r = iam_audit_format(&rec, &line)) < 0)
        return r;
    iam_error_init(&e);
    r = iam_audit_append(p->c->audit_log, line, &e);
    free(line);
    if (r < 0)
        fprintf(stderr, "iamctl: pull: cannot write the audit record to %s: %s\n", p->c->audit_log,
                e.text[0] ? e.text : strerror(-r));
    return r;
}

/* A refusal: the error for the caller, an audit record; nothing installed. */
static enum pull_refusal refuse(struct pull *p, enum pull_refusal why, struct iam_error *e) {
    p->out->refusal = why;
    (void)audit(p, why, e->text);
    return why;
}

static char *url_of(const struct pull *p, const char *name) {
    const char *base = p->c->bundle_url;
    size_t n = strlen(base);
    char *u = NULL;

    if (asprintf(&u, "%s%s%s", base, n && base[n - 1] == '/' ? "" : "/", name) < 0)
        return NULL;
    return u;
}

/* The manifest, conditionally: 1 when the origin says it has not changed (304). */
static int fetch_manifest(struct pull *p, enum pull_refusal *why, struct iam_error *e) {
    struct fetch_opts o = {.ca_file = p->c->bundle_ca_file,
                           .timeout = p->c->bundle_timeout,
                           .max_size = p->c->bundle_max_size < IAM_BUNDLE_MANIFEST_MAX
                                           ? p->c->bundle_max_size
                                           : IAM_BUNDLE_MANIFEST_MAX};
    struct fetch_result res;
    bool same_url = p->have_state && strcmp(p->st.url, p->c->bundle_url) == 0;
    char *url = url_of(p, IAM_BUNDLE_MANIFEST);
    int r = -1;

    if (!url) {
        iam_error_set(e, 0, 0, 0, "out of memory");
        *why = PULL_LOCAL;
        return -1;
    }
    /* a conditional GET only for the bundle that is installed from this very URL */
    if (same_url && p->st.installed_serial && p->st.etag[0])
        o.etag = p->st.etag;
    say(p, "fetching", url);
    *why = fetch_url(url, &o, &res, e);
    if (*why != PULL_OK)
        goto out;
    memcpy(p->etag, res.etag, sizeof(p->etag));
    if (res.status == 304) {
        r = 1;
        goto out;
    }
    iam_error_init(e);
    iam_error_set_source(e, url);
    r = iam_bundle_manifest_open(res.data, res.len, p->pk, &p->m, e);
    if (r == -EKEYREJECTED) {
        *why = PULL_SIGNATURE;
    } else if (r < 0) {
        *why = PULL_MALFORMED;
    } else {
        p->have_manifest = true;
        r = 0;
    }
out:
    fetch_result_free(&res);
    free(url);
    return r;
}

/* What the signed manifest itself must satisfy on this host. */
static enum pull_refusal check_manifest(struct pull *p, int64_t now, struct iam_error *e) {
    char when[32];

    if (strcmp(p->m.account_id, p->c->account_id) != 0) {
        iam_error_set(e, 0, 0, 0, "the bundle is of account %s, this host's account_id is %s",
                      p->m.account_id, p->c->account_id);
        return PULL_ACCOUNT;
    }
    if (p->m.serial < p->st.highest_serial) {
        iam_error_set(e, 0, 0, 0,
                      "the bundle's Serial %llu is lower than %llu, the highest this "
                      "host installed: a rollback, refused",
                      (unsigned long long)p->m.serial, (unsigned long long)p->st.highest_serial);
        return PULL_ROLLBACK;
    }
    if (p->m.expires <= now) {
        iam_bundle_format_time(p->m.expires, when, sizeof(when));
        iam_error_set(e, 0, 0, 0,
                      "the bundle (Serial %llu) expired at %s: the publisher must "
                      "publish again",
                      (unsigned long long)p->m.serial, when);
        return PULL_EXPIRED;
    }
    if (sodium_memcmp(p->m.fleet_pk, p->fleet.pk, 32) != 0) {
        iam_error_set(e, 0, 0, 0,
                      "the bundle's secrets are sealed to another fleet key than "
                      "the one in bundle_secret_key (%s)",
                      p->c->bundle_secret_key);
        return PULL_FLEET_KEY;
    }
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
        if (p->m.files[i].size > p->c->bundle_max_size || p->m.files[i].content_size > (uint64_t)4
                                                                                           << 30) {
            iam_error_set(e, 0, 0, 0, "%s: %llu bytes, more than bundle_max_size (%llu)",
                          p->m.files[i].path, (unsigned long long)p->m.files[i].size,
                          (unsigned long long)p->c->bundle_max_size);
            return PULL_TOO_LARGE;
        }
    return PULL_OK;
}

static bool is_installed(const struct pull *p) {
    return p->st.installed_serial == p->m.serial &&
           sodium_memcmp(p->st.installed_nss, p->m.files[IAM_BUNDLE_NSS].sha256, 32) == 0 &&
           sodium_memcmp(p->st.installed_auth, p->m.files[IAM_BUNDLE_AUTH].sha256, 32) == 0 &&
           sodium_memcmp(p->st.installed_ssh, p->m.files[IAM_BUNDLE_SSH].sha256, 32) == 0;
}

/* Every file, each exactly as the manifest says. */
static enum pull_refusal fetch_files(struct pull *p, struct iam_error *e) {
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++) {
        struct fetch_opts o = {.ca_file = p->c->bundle_ca_file,
                               .timeout = p->c->bundle_timeout,
                               .max_size = p->m.files[i].size};
        char *url = url_of(p, p->m.files[i].path);
        enum pull_refusal why;

        if (!url) {
            iam_error_set(e, 0, 0, 0, "out of memory");
            return PULL_LOCAL;
        }
        say(p, "fetching", url);
        why = fetch_url(url, &o, &p->files[i], e);
        free(url);
        if (why != PULL_OK)
            return why;
        if (iam_bundle_file_check(&p->m.files[i], p->files[i].data, p->files[i].len, e) < 0)
            return PULL_HASH;
    }
    return PULL_OK;
}

static enum pull_refusal decode(struct pull *p, struct iam_error *e) {
    struct iam_nssc *nc = NULL;
    int r;

    if (iam_bundle_decode_public(&p->m.files[IAM_BUNDLE_NSS], p->files[IAM_BUNDLE_NSS].data,
                                 p->files[IAM_BUNDLE_NSS].len, &p->nss, &p->nss_len, e) < 0 ||
        iam_bundle_decode_public(&p->m.files[IAM_BUNDLE_SSH], p->files[IAM_BUNDLE_SSH].data,
                                 p->files[IAM_BUNDLE_SSH].len, &p->ssh, &p->ssh_len, e) < 0)
        return PULL_DAMAGED;
    r = iam_bundle_decode_auth(&p->m.files[IAM_BUNDLE_AUTH], p->files[IAM_BUNDLE_AUTH].data,
                               p->files[IAM_BUNDLE_AUTH].len, &p->fleet, &p->auth, &p->auth_len, e);
    if (r == -EKEYREJECTED)
        return PULL_FLEET_KEY;
    if (r < 0)
        return PULL_DAMAGED;
    /* the reader the NSS module uses must accept it whole */
    r = iam_nssc_open_memory(p->nss, p->nss_len, &nc);
    if (r == 0 && iam_nssc_is_damaged(nc))
        r = -EBADMSG;
    iam_nssc_unref(nc);
    if (r < 0) {
        iam_error_set(e, 0, 0, 0, "%s: not a usable nss.cache (%s)",
                      p->m.files[IAM_BUNDLE_NSS].path, strerror(-r));
        return PULL_DAMAGED;
    }
    /* and iam-authorized-keys's reader the SSH key cache's header */
    if ((r = iam_sshk_check_image(p->ssh, p->ssh_len)) < 0) {
        iam_error_set(e, 0, 0, 0, "%s: not a usable ssh_keys.cache (%s)",
                      p->m.files[IAM_BUNDLE_SSH].path, strerror(-r));
        return PULL_DAMAGED;
    }
    return PULL_OK;
}

static enum pull_refusal install(struct pull *p, int64_t now, struct iam_error *e) {
    struct iam_error nscd;
    int r;

    /* the Serial first: a crash after it cannot let an older bundle in */
    if (p->m.serial > p->st.highest_serial) {
        p->st.highest_serial = p->m.serial;
        if (iam_pull_state_write(p->c->cache_dir, &p->st, e) < 0)
            return PULL_LOCAL;
    }
    if (p->progress) {
        char serial[24];
        snprintf(serial, sizeof(serial), "%llu", (unsigned long long)p->m.serial);
        say(p, "installing Serial", serial);
    }
    iam_error_init(&nscd);
    r = iam_caches_install(p->c->cache_dir, p->nss, p->nss_len, p->auth, p->auth_len, NULL, &nscd);
    if (r < 0) {
        *e = nscd;
        return PULL_LOCAL;
    }
    if (r == 1) /* installed; nscd runs and could not be told */
        snprintf(p->out->warning, sizeof(p->out->warning), "%s", nscd.text);
    /* then the keys sshd is given, beside the generations, as a compile installs them */
    if (iam_caches_install_ssh_keys(p->c->cache_dir, p->ssh, p->ssh_len, e) < 0)
        return PULL_LOCAL;
    p->st.installed_serial = p->m.serial;
    p->st.installed_created = p->m.created;
    p->st.installed_expires = p->m.expires;
    memcpy(p->st.installed_nss, p->m.files[IAM_BUNDLE_NSS].sha256, 32);
    memcpy(p->st.installed_auth, p->m.files[IAM_BUNDLE_AUTH].sha256, 32);
    memcpy(p->st.installed_ssh, p->m.files[IAM_BUNDLE_SSH].sha256, 32);
    p->st.last_check = now;
    memcpy(p->st.etag, p->etag, sizeof(p->st.etag));
    if (iam_pull_state_write(p->c->cache_dir, &p->st, e) < 0)
        return PULL_LOCAL;
    p->out->installed = true;
    p->out->serial = p->m.serial;
    return PULL_OK;
}

/* The origin says the installed bundle is current (304, or the same files): note when it
 * said so, and take a renewed manifest's times. An expired one is still refused. */
static enum pull_refusal current(struct pull *p, int64_t now, bool renewed, struct iam_error *e) {
    char when[32];

    struct iam_pull_state was = p->st;

    if (renewed && p->m.created > p->st.installed_created) {
        p->st.installed_created = p->m.created;
        p->st.installed_expires = p->m.expires;
    }
    if (p->st.installed_expires <= now) { /* refused: the state stays as it was */
        iam_bundle_format_time(p->st.installed_expires, when, sizeof(when));
        iam_error_set(e, 0, 0, 0,
                      "the origin still serves the installed bundle (Serial %llu), "
                      "which expired at %s: the publisher must publish again",
                      (unsigned long long)p->st.installed_serial, when);
        p->st = was;
        return PULL_EXPIRED;
    }
    p->st.last_check = now;
    if (p->etag[0] || renewed)
        memcpy(p->st.etag, p->etag, sizeof(p->st.etag));
    if (iam_pull_state_write(p->c->cache_dir, &p->st, e) < 0)
        return PULL_LOCAL;
    p->out->serial = p->st.installed_serial;
    return PULL_OK;
}

static int load_keys(struct pull *p, struct iam_error *e) {
    if (iam_bundle_key_from_base64(p->c->bundle_public_key, p->pk) < 0) {
        iam_error_set(e, 0, 0, 0, "bundle_public_key is not a base64 key");
        return -EINVAL;
    }
    return iam_bundle_fleet_key_load(p->c->bundle_secret_key, &p->fleet, e);
}

static enum pull_refusal run(struct pull *p, struct iam_error *e) {
    int64_t now = (int64_t)time(NULL);
    enum pull_refusal why = PULL_LOCAL;
    int r;

    r = iam_pull_state_read(p->c->cache_dir, &p->st, e);
    if (r < 0 && r != -ENOENT)
        return refuse(p, PULL_LOCAL, e);
    p->have_state = r == 0;
    if (!p->have_state)
        memset(&p->st, 0, sizeof(p->st));
    iam_error_init(e);
    p->out->serial = p->st.installed_serial;
    r = fetch_manifest(p, &why, e);
    if (r < 0)
        return refuse(p, why, e);
    snprintf(p->st.url, sizeof(p->st.url), "%s", p->c->bundle_url);
    if (r == 1)
        return (why = current(p, now, false, e)) == PULL_OK ? why : refuse(p, why, e);
    if ((why = check_manifest(p, now, e)) != PULL_OK)
        return refuse(p, why, e);
    if (is_installed(p))
        return (why = current(p, now, true, e)) == PULL_OK ? why : refuse(p, why, e);
    if ((why = fetch_files(p, e)) != PULL_OK || (why = decode(p, e)) != PULL_OK ||
        (why = pull_host_check(p->c, p->nss, p->nss_len, e)) != PULL_OK ||
        (why = install(p, now, e)) != PULL_OK)
        return refuse(p, why, e);
    (void)audit(p, PULL_OK, NULL);
    return PULL_OK;
}

int pull_bundle(const struct iam_config *c, bool progress, struct pull_outcome *out,
                struct iam_error *reterr) {
    struct pull p = {.c = c, .progress = progress, .out = out};
    char *lock = NULL;
    int lock_fd = -1;
    enum pull_refusal why;

    memset(out, 0, sizeof(*out));
    if (load_keys(&p, reterr) < 0) {
        out->refusal = PULL_LOCAL;
        (void)audit(&p, PULL_LOCAL, reterr->text);
        goto out;
    }
    if (asprintf(&lock, "%s/" PULL_LOCK_NAME, c->cache_dir) < 0) {
        lock = NULL;
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        out->refusal = PULL_LOCAL;
        goto out;
    }
    if (cache_dir_ready(c->cache_dir, reterr) < 0 ||
        (lock_fd = iam_lock_acquire(lock, PULL_LOCK_WAIT_MS, reterr)) < 0) {
        out->refusal = PULL_LOCAL;
        (void)audit(&p, PULL_LOCAL, reterr->text);
        goto out;
    }
    why = run(&p, reterr);
    out->refusal = why;
out:
    iam_lock_release(lock_fd);
    free(lock);
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
        fetch_result_free(&p.files[i]);
    free(p.nss);
    free(p.ssh);
    if (p.auth)
        sodium_memzero(p.auth, p.auth_len);
    free(p.auth);
    iam_bundle_key_wipe(&p.fleet, sizeof(p.fleet));
    return out->refusal == PULL_OK ? 0 : -EPERM;
}
