/* SPDX-License-Identifier: Apache-2.0 */
/* Virtual MFA devices, as AWS has them: create-virtual-mfa-device (the seed goes to --outfile
 * as base32 text or as a QR code PNG of the otpauth:// URI, and nowhere else),
 * enable-mfa-device (two consecutive codes), deactivate-mfa-device, resync-mfa-device,
 * list-mfa-devices, list-virtual-mfa-devices, delete-virtual-mfa-device. TOTP is liboath's
 * (iam/totp.h), QR codes are libqrencode's and libpng's (qr.h): all three are loaded only by
 * the verbs here that need them. Seeds live in the store (root 0600) and in auth.cache (root
 * 0600), never in nss.cache; every copy here is wiped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/auth_cache.h"
#include "iam/db.h"
#include "iam/totp.h"
#include "qr.h"
#include "trail_common.h"
#include "verb_common.h"

#define ENABLE_WINDOW 10  /* steps either side of now searched by enable-mfa-device (5 min) */
#define RESYNC_WINDOW 240 /* and by resync-mfa-device (2 hours): clocks that drifted */

static int totp_ready(void) {
    struct iam_error e;

    iam_error_init(&e);
    if (iam_totp_load(&e) < 0)
        return iamctl_fail_error(&e);
    return 0;
}

/* AWS's VirtualMFADeviceName: 1..226 of [A-Za-z0-9+=,.@_-]. */
static const char *check_name(const char *name) {
    size_t n = strlen(name);

    if (n < 1 || n > 226)
        return "must be 1 to 226 characters";
    if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") != n)
        return "may contain only letters, digits and + = , . @ _ -";
    return NULL;
}

/* Write data to path, created or truncated, mode 0600 (it holds a seed). */
static int write_outfile(const char *path, const void *data, size_t len) {
    size_t off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);

    if (fd < 0)
        return iamctl_fail("--outfile %s: %s", path, strerror(errno));
    if (fchmod(fd, 0600) < 0) {
        close(fd);
        return iamctl_fail("--outfile %s: %s", path, strerror(errno));
    }
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return iamctl_fail("--outfile %s: %s", path, strerror(n < 0 ? errno : EIO));
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0)
        return iamctl_fail("--outfile %s: %s", path, strerror(errno));
    return 0;
}

/* AWS's URI: otpauth://totp/<device name>@<account>?secret=<base32> */
static int bootstrap(const char *method, const char *outfile, const char *name,
                     const char *account, const uint8_t *seed) {
    char b32[IAM_TOTP_SEED_B32_MAX], uri[512];
    unsigned char *png = NULL;
    size_t png_len = 0;
    int r;

    if (iam_totp_base32_encode(seed, IAM_STORE_MFA_SEED_BYTES, b32, sizeof(b32)) < 0)
        return iamctl_fail("cannot encode the seed");
    if (strcmp(method, "Base32StringSeed") == 0) {
        r = write_outfile(outfile, b32, strlen(b32));
    } else {
        if (snprintf(uri, sizeof(uri), "otpauth://totp/%s@%s?secret=%s", name, account, b32) >=
            (int)sizeof(uri))
            r = iamctl_fail("the device name is too long for a QR code");
        else if ((r = qr_png(uri, &png, &png_len)) == 0)
            r = write_outfile(outfile, png, png_len);
    }
    if (png) {
        sodium_memzero(png, png_len);
        free(png);
    }
    sodium_memzero(b32, sizeof(b32));
    sodium_memzero(uri, sizeof(uri));
    return r;
}

int verb_create_virtual_mfa_device(int argc, char *argv[]) {
    struct opt opts[] = {{"virtual-mfa-device-name", OPT_VALUE, true},
                         {"outfile", OPT_VALUE, true},
                         {"bootstrap-method", OPT_VALUE, true},
                         {"path", OPT_VALUE},
                         {NULL}};
    struct iam_store_mfa_device d;
    struct sth h = STH_INIT;
    const char *name, *method, *path, *why;
    char now[32], *serial = NULL;
    int r;

    memset(&d, 0, sizeof(d));
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    name = opt_value(opts, "virtual-mfa-device-name");
    method = opt_value(opts, "bootstrap-method");
    path = opt_value(opts, "path") ? opt_value(opts, "path") : "/";
    if (strcmp(method, "Base32StringSeed") != 0 && strcmp(method, "QRCodePNG") != 0) {
        r = iamctl_usage("--bootstrap-method must be Base32StringSeed or QRCodePNG");
        goto out;
    }
    if ((why = check_name(name))) {
        r = iamctl_fail("ValidationError: virtual MFA device name \"%.64s\" %s", name, why);
        goto out;
    }
    if ((why = iam_db_check_path(path))) {
        r = iamctl_fail("ValidationError: path \"%.64s\" %s", path, why);
        goto out;
    }
    if ((r = totp_ready()) || (r = sth_open(&h, true)))
        goto out;
    serial = sth_arn(&h, "mfa", path, name);
    if (!serial) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    now_iso(now);
    randombytes_buf(d.seed, sizeof(d.seed));
    d.name = name;
    d.path = path;
    d.serial = serial;
    d.create_date = now;
    r = iam_store_mfa_insert(h.st, &d);
    if (r == -EEXIST) {
        r = iamctl_fail("EntityAlreadyExists: MFADevice entity at the same path and name "
                        "already exists.");
        goto out;
    }
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    /* the seed's only way out, before the commit: no device without its seed delivered */
    if ((r = bootstrap(method, opt_value(opts, "outfile"), name, h.account.account_id,
                       d.seed)) ||
        (r = sth_commit(&h)))
        goto out;
    r = print_json(json_pack("{s:{s:s}}", "VirtualMFADevice", "SerialNumber", serial));
out:
    sodium_memzero(&d, sizeof(d));
    free(serial);
    opts_free(opts);
    return sth_close(&h, r);
}

static int fail_no_device(const char *serial) {
    return iamctl_fail("NoSuchEntity: VirtualMFADevice with serial number %.256s doesn't exist.",
                       serial);
}

/* Two consecutive codes of d's seed within window steps of now (shifted by drift): the
 * counter of the second, or an exit code (negated). */
static int64_t two_codes(const struct iam_store_mfa_device *d, const char *c1, const char *c2,
                         int64_t drift, unsigned window) {
    int64_t now_c = iam_totp_counter(trail_now()) + drift, first = -1, second = -1;
    int r;

    if (strlen(c1) != IAM_TOTP_DIGITS || strspn(c1, "0123456789") != IAM_TOTP_DIGITS ||
        strlen(c2) != IAM_TOTP_DIGITS || strspn(c2, "0123456789") != IAM_TOTP_DIGITS)
        return -iamctl_fail("ValidationError: authentication codes are 6 digits");
    for (int64_t c = now_c - window; c <= now_c + window; c++) {
        char a[IAM_TOTP_DIGITS + 1], b[IAM_TOTP_DIGITS + 1];

        if (c < 0)
            continue;
        if ((r = iam_totp_code(d->seed, sizeof(d->seed), c, a)) < 0 ||
            (r = iam_totp_code(d->seed, sizeof(d->seed), c + 1, b)) < 0)
            return -iamctl_fail("cannot compute TOTP codes: %s", strerror(-r));
        if (sodium_memcmp(a, c1, IAM_TOTP_DIGITS) == 0 &&
            sodium_memcmp(b, c2, IAM_TOTP_DIGITS) == 0) {
            first = c;
            second = c + 1;
        }
        sodium_memzero(a, sizeof(a));
        sodium_memzero(b, sizeof(b));
    }
    if (first < 0)
        return -iamctl_fail("InvalidAuthenticationCode: Authentication code for device is not "
                            "valid.");
    return second;
}

/* enable-mfa-device and resync-mfa-device */
static int enable(int argc, char *argv[], bool resync) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true},
                         {"serial-number", OPT_VALUE, true},
                         {"authentication-code1", OPT_VALUE, true},
                         {"authentication-code2", OPT_VALUE, true},
                         {NULL}};
    struct iam_store_mfa_device d, *mine = NULL;
    struct iam_store_identity u;
    struct sth h = STH_INIT;
    const char *serial;
    char now[32];
    size_t n = 0;
    int64_t second;
    int r;

    memset(&d, 0, sizeof(d));
    if ((r = opts_parse(argc, argv, opts)) || (r = totp_ready()) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    serial = opt_value(opts, "serial-number");
    r = iam_store_mfa_get(h.st, serial, &d);
    if (r == -ENOENT) {
        r = fail_no_device(serial);
        goto out;
    }
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (resync && d.user != u.id) {
        r = iamctl_fail("NoSuchEntity: MFA device %.256s is not enabled for user %s", serial,
                        u.name);
        goto out;
    }
    if (!resync && d.user) {
        r = iamctl_fail("EntityAlreadyExists: MFA Device is already in use.");
        goto out;
    }
    if (!resync) {
        if ((r = iam_store_mfa_list(h.st, &u, &mine, &n)) < 0) {
            r = sth_fail(&h, r);
            goto out;
        }
        sodium_memzero(mine, n * sizeof(*mine));
        if (n >= IAM_AUTH_MAX_MFA) {
            r = iamctl_fail("LimitExceeded: Cannot exceed quota for MFADevicesPerUser: %d",
                            IAM_AUTH_MAX_MFA);
            goto out;
        }
    }
    second = two_codes(&d, opt_value(opts, "authentication-code1"),
                       opt_value(opts, "authentication-code2"), 0,
                       resync ? RESYNC_WINDOW : ENABLE_WINDOW);
    if (second < 0) {
        r = (int)-second;
        goto out;
    }
    now_iso(now);
    /* the codes typed here are never accepted again; a resync remembers how far off the
     * device's clock is */
    r = iam_store_mfa_assign(h.st, &d, &u, resync ? d.enable_date : now,
                             second > d.not_before ? second : d.not_before,
                             resync ? second - iam_totp_counter(trail_now()) : 0);
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    sodium_memzero(&d, sizeof(d));
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_enable_mfa_device(int argc, char *argv[]) {
    return enable(argc, argv, false);
}

int verb_resync_mfa_device(int argc, char *argv[]) {
    return enable(argc, argv, true);
}

int verb_deactivate_mfa_device(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {"serial-number", OPT_VALUE, true},
                         {NULL}};
    struct iam_store_mfa_device d;
    struct iam_store_identity u;
    struct sth h = STH_INIT;
    int r;

    memset(&d, 0, sizeof(d));
    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    r = iam_store_mfa_get(h.st, opt_value(opts, "serial-number"), &d);
    if (r == -ENOENT || (r == 0 && d.user != u.id)) {
        r = iamctl_fail("NoSuchEntity: MFA Device with serial number %.256s does not exist for "
                        "user %s.", opt_value(opts, "serial-number"), u.name);
        goto out;
    }
    if (r < 0 || (r = iam_store_mfa_assign(h.st, &d, NULL, NULL, 0, 0)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    sodium_memzero(&d, sizeof(d));
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_delete_virtual_mfa_device(int argc, char *argv[]) {
    struct opt opts[] = {{"serial-number", OPT_VALUE, true}, {NULL}};
    struct iam_store_mfa_device d;
    struct sth h = STH_INIT;
    int r;

    memset(&d, 0, sizeof(d));
    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)))
        goto out;
    r = iam_store_mfa_get(h.st, opt_value(opts, "serial-number"), &d);
    if (r == -ENOENT) {
        r = fail_no_device(opt_value(opts, "serial-number"));
        goto out;
    }
    if (r == 0 && d.user) {
        r = iamctl_fail("DeleteConflict: MFA Device is still in use (deactivate-mfa-device "
                        "--user-name %s first).", d.user_name);
        goto out;
    }
    if (r < 0 || (r = iam_store_mfa_delete(h.st, &d)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    sodium_memzero(&d, sizeof(d));
    opts_free(opts);
    return sth_close(&h, r);
}

/* list-mfa-devices [--user-name] and list-virtual-mfa-devices [--assignment-status] */
static int list(int argc, char *argv[], bool virt) {
    struct opt opts[] = {{virt ? "assignment-status" : "user-name", OPT_VALUE}, PAGE_OPTS,
                         {NULL}};
    struct iam_store_mfa_device *all = NULL;
    struct iam_store_identity u;
    struct sth h = STH_INIT;
    const char *status = NULL;
    json_t *arr = NULL;
    struct page pg;
    size_t n = 0, from, to;
    int64_t next;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)))
        goto out;
    if (virt) {
        status = opt_value(opts, "assignment-status");
        if (status && strcmp(status, "Assigned") != 0 && strcmp(status, "Unassigned") != 0 &&
            strcmp(status, "Any") != 0) {
            r = iamctl_usage("--assignment-status must be Assigned, Unassigned or Any");
            goto out;
        }
    } else if (opt_value(opts, "user-name") &&
               (r = sth_user(&h, opt_value(opts, "user-name"), &u))) {
        goto out;
    }
    r = iam_store_mfa_list(h.st, !virt && opt_value(opts, "user-name") ? &u : NULL, &all, &n);
    if (r < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    /* keep what is listed; the seeds are wiped right away */
    for (size_t i = 0; i < n; i++)
        sodium_memzero(all[i].seed, sizeof(all[i].seed));
    {
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
            bool assigned = all[i].user != 0;

            if ((!virt && !assigned) || (status && strcmp(status, "Assigned") == 0 && !assigned) ||
                (status && strcmp(status, "Unassigned") == 0 && assigned))
                continue;
            all[k++] = all[i];
        }
        n = k;
    }
    page_slice(&pg, n, &from, &to, &next);
    arr = json_array();
    for (size_t i = from; arr && i < to; i++) {
        const struct iam_store_mfa_device *d = &all[i];
        json_t *o;

        if (virt) {
            o = json_pack("{s:s}", "SerialNumber", d->serial);
            if (o && d->user) {
                struct iam_store_identity who;

                if (sth_user(&h, d->user_name, &who) == 0)
                    json_object_set_new(o, "User", user_summary(&who));
                json_object_set_new(o, "EnableDate", json_string(d->enable_date));
            }
        } else {
            o = json_pack("{s:s,s:s,s:s}", "UserName", d->user_name, "SerialNumber", d->serial,
                          "EnableDate", d->enable_date);
        }
        if (!o || json_array_append_new(arr, o) < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
    }
    r = print_page(json_pack("{s:o}", virt ? "VirtualMFADevices" : "MFADevices", arr), next);
    arr = NULL;
out:
    json_decref(arr);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_mfa_devices(int argc, char *argv[]) {
    return list(argc, argv, false);
}

int verb_list_virtual_mfa_devices(int argc, char *argv[]) {
    return list(argc, argv, true);
}
