/* SPDX-License-Identifier: Apache-2.0 */
/* The publishing side of a fleet: create-bundle-signing-key, get-bundle-public-key,
 * export-fleet-key, publish. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/bundle.h"
#include "iam/secret.h"
#include "iam/store_compile.h"
#include "verb_common.h"

#define MAX_VALID_DAYS 3650
#define DEFAULT_VALID_DAYS 30

/* The configuration of an admin host: one that keeps the store (no bundle_url). */
static int load_admin_config(struct iam_config **ret) {
    struct iam_error e;

    iam_error_init(&e);
    *ret = NULL;
    if (iam_secret_init() < 0) {
        (void)iamctl_fail("libsodium failed to initialise");
        return IAMCTL_EXIT_FAIL;
    }
    if (iam_config_load(arg_config, ret, &e) < 0) {
        *ret = NULL;
        (void)iamctl_fail_error(&e);
        return IAMCTL_EXIT_FAIL;
    }
    if ((*ret)->bundle_url) {
        (void)iamctl_fail("%s: this host pulls its account from bundle_url = %s; bundles are "
                          "made where the account is managed (the host that publishes it)",
                          arg_config, (*ret)->bundle_url);
        iam_config_free(*ret);
        *ret = NULL;
        return IAMCTL_EXIT_FAIL;
    }
    return 0;
}

int create_fleet_keys(const struct iam_config *c, enum signing_key_mode mode,
                      struct fleet_keys_made *ret) {
    struct iam_bundle_signing_key sk;
    struct iam_bundle_fleet_key fk;
    struct iam_error e;
    struct stat sb;

    iam_error_init(&e);
    *ret = (struct fleet_keys_made){0};
    if (mode == SIGNING_KEY_KEEP && lstat(c->signing_key, &sb) == 0) {
        /* init beside an existing key (another store's, or the one hosts already trust):
         * use it, if it is a usable key */
        if (iam_bundle_signing_key_load(c->signing_key, &sk, &e) < 0)
            return iamctl_fail_error(&e);
        iam_bundle_key_wipe(&sk, sizeof(sk));
    } else {
        if (iam_bundle_key_create(c->signing_key, IAM_BUNDLE_SIGNING_KEY,
                                  mode == SIGNING_KEY_REPLACE, &e) < 0)
            return iamctl_fail("%s%s", e.text,
                               mode == SIGNING_KEY_NEW ? " (--replace makes a new signing key; "
                                                         "hosts then need its public key)"
                                                       : "");
        ret->signing = true;
    }
    if (lstat(c->fleet_key, &sb) == 0) {
        /* the fleet's key pair is kept: every host has its secret key */
        iam_error_init(&e);
        if (iam_bundle_fleet_key_load(c->fleet_key, &fk, &e) < 0)
            return iamctl_fail_error(&e);
        iam_bundle_key_wipe(&fk, sizeof(fk));
        return 0;
    }
    iam_error_init(&e);
    if (iam_bundle_key_create(c->fleet_key, IAM_BUNDLE_FLEET_KEY, false, &e) < 0)
        return iamctl_fail_error(&e);
    ret->fleet = true;
    return 0;
}

int verb_create_bundle_signing_key(int argc, char *argv[]) {
    struct opt opts[] = {{"replace", OPT_FLAG}, {NULL}};
    struct iam_config *c = NULL;
    struct iam_bundle_signing_key k;
    struct iam_error e;
    char pk[IAM_BUNDLE_PUBLIC_KEY_B64 + 1];
    struct fleet_keys_made made;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)) || (r = load_admin_config(&c)))
        goto out;
    if ((r = create_fleet_keys(
             c, opt_get(opts, "replace")->set ? SIGNING_KEY_REPLACE : SIGNING_KEY_NEW, &made)))
        goto out;
    if (iam_bundle_signing_key_load(c->signing_key, &k, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    iam_bundle_key_to_base64(k.pk, pk);
    iam_bundle_key_wipe(&k, sizeof(k));
    r = print_json(json_pack("{s:s,s:s,s:s?}", "SigningKey", c->signing_key, "PublicKey", pk,
                             "FleetKeyCreated", made.fleet ? c->fleet_key : NULL));
out:
    iam_config_free(c);
    opts_free(opts);
    return r;
}

int verb_get_bundle_public_key(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct iam_config *c = NULL;
    struct iam_bundle_signing_key k;
    struct iam_error e;
    char pk[IAM_BUNDLE_PUBLIC_KEY_B64 + 1];
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)) || (r = load_admin_config(&c)))
        goto out;
    if (iam_bundle_signing_key_load(c->signing_key, &k, &e) < 0) {
        r = iamctl_fail("%s%s", e.text,
                        e.text[0] && strstr(e.text, "No such file")
                            ? " (iamctl create-bundle-signing-key makes one)"
                            : "");
        goto out;
    }
    iam_bundle_key_to_base64(k.pk, pk);
    iam_bundle_key_wipe(&k, sizeof(k));
    r = print_json(json_pack("{s:s}", "PublicKey", pk));
out:
    iam_config_free(c);
    opts_free(opts);
    return r;
}

int verb_export_fleet_key(int argc, char *argv[]) {
    struct opt opts[] = {{"output", OPT_VALUE, true}, {NULL}};
    struct iam_config *c = NULL;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)) || (r = load_admin_config(&c)))
        goto out;
    if (iam_bundle_fleet_key_export(c->fleet_key, opt_value(opts, "output"), &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    r = print_json(json_pack("{s:s}", "FleetKeyFile", opt_value(opts, "output")));
out:
    iam_config_free(c);
    opts_free(opts);
    return r;
}

static int parse_days(const char *v, unsigned *ret) {
    char *end = NULL;
    unsigned long n;

    errno = 0;
    n = v ? strtoul(v, &end, 10) : DEFAULT_VALID_DAYS;
    if (v && (errno || !*v || *end || v[0] == '-' || n < 1 || n > MAX_VALID_DAYS))
        return iamctl_usage("--valid-for: expected a number of days from 1 to %d", MAX_VALID_DAYS);
    *ret = (unsigned)n;
    return 0;
}

static json_t *file_json(const struct iam_bundle_file *f) {
    char hex[65];

    sodium_bin2hex(hex, sizeof(hex), f->sha256, 32);
    return json_pack("{s:s,s:I,s:I,s:s}", "Path", f->path, "Size", (json_int_t)f->size,
                     "ContentSize", (json_int_t)f->content_size, "Sha256", hex);
}

int verb_publish(int argc, char *argv[]) {
    struct opt opts[] = {{"output", OPT_VALUE, true}, {"valid-for", OPT_VALUE}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_cache_images img = {0};
    struct iam_bundle_signing_key sk;
    struct iam_bundle_fleet_key fk;
    struct iam_bundle_publish_report rep;
    struct iam_error e;
    char created[32], expires[32];
    unsigned days = 0;
    time_t now = time(NULL);
    bool keys = false;
    int r;

    iam_error_init(&e);
    memset(&rep, 0, sizeof(rep));
    if ((r = opts_parse(argc, argv, opts)) || (r = parse_days(opt_value(opts, "valid-for"), &days)))
        goto out;
    /* one snapshot of the store: the caches and the Serial they are of */
    if ((r = sth_open(&h, false)))
        goto out;
    if (iam_bundle_signing_key_load(h.config->signing_key, &sk, &e) < 0 ||
        iam_bundle_fleet_key_load(h.config->fleet_key, &fk, &e) < 0) {
        r = iamctl_fail("%s (iamctl create-bundle-signing-key makes the keys of a store that "
                        "has none)",
                        e.text);
        goto out;
    }
    keys = true;
    if (iam_store_compile_images(h.st, h.config, &img, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    {
        struct iam_bundle_publish p = {.dir = opt_value(opts, "output"),
                                       .account_id = h.account.account_id,
                                       .serial = img.serial,
                                       .nss = img.nss,
                                       .nss_len = img.nss_len,
                                       .auth = img.auth,
                                       .auth_len = img.auth_len,
                                       .ssh = img.ssh_keys,
                                       .ssh_len = img.ssh_keys_len,
                                       .signing = &sk,
                                       .fleet_pk = fk.pk,
                                       .created = (int64_t)now,
                                       .expires = (int64_t)now + (int64_t)days * 86400};
        iam_bundle_settings_digest(h.config, p.settings);
        if (iam_bundle_publish(&p, &rep, &e) < 0) {
            r = iamctl_fail_error(&e);
            goto out;
        }
    }
    iam_bundle_format_time(rep.manifest.created, created, sizeof(created));
    iam_bundle_format_time(rep.manifest.expires, expires, sizeof(expires));
    r = print_json(json_pack("{s:s,s:I,s:s,s:s,s:[o,o,o],s:b,s:I}", "AccountId",
                             h.account.account_id, "Serial", (json_int_t)rep.manifest.serial,
                             "Created", created, "Expires", expires, "Files",
                             file_json(&rep.manifest.files[IAM_BUNDLE_NSS]),
                             file_json(&rep.manifest.files[IAM_BUNDLE_AUTH]),
                             file_json(&rep.manifest.files[IAM_BUNDLE_SSH]), "Unchanged",
                             rep.reused, "FilesRemoved", (json_int_t)rep.removed));
out:
    if (keys) {
        iam_bundle_key_wipe(&sk, sizeof(sk));
        iam_bundle_key_wipe(&fk, sizeof(fk));
    }
    iam_cache_images_free(&img);
    opts_free(opts);
    return sth_close(&h, r);
}

/* ---- pull: the helper program ----------------------------------------------------------- */

/* iam-pull beside this iamctl (the build tree), else where the package installs it. The
 * directory of our own executable is root's wherever iamctl is installed. */
static char *pull_helper(void) {
    char self[PATH_MAX], *slash, *p = NULL;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    struct stat sb;

    if (n > 0) {
        self[n] = '\0';
        if ((slash = strrchr(self, '/'))) {
            *slash = '\0';
            if (asprintf(&p, "%s/iam-pull", self) >= 0 && stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
                return p;
            free(p);
            p = NULL;
        }
    }
    return strdup(IAM_LIBEXECDIR "/iam-pull");
}

int verb_pull(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    char *helper = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (!(helper = pull_helper())) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    fflush(NULL);
    execl(helper, "iam-pull", "--config", arg_config, (char *)NULL);
    r = iamctl_fail("cannot run %s: %s (is the iamctl package installed whole?)", helper,
                    strerror(errno));
out:
    free(helper);
    opts_free(opts);
    return r;
}
