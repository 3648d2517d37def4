/* SPDX-License-Identifier: Apache-2.0 */
/* Bundles: key files, the signed manifest (every byte altered is refused), the data files'
 * hash and decoding, publishing into a directory. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "iam/bundle.h"
#include "iamtest.h"

struct fx {
    char *dir;
    char *sk_path, *fk_path;
    struct iam_bundle_signing_key sk;
    struct iam_bundle_fleet_key fk;
};

static int setup(void **state) {
    struct fx *f = calloc(1, sizeof(*f));
    struct iam_error e;

    assert_non_null(f);
    assert_int_equal(sodium_init() >= 0, 1);
    f->dir = iamtest_mkdtemp();
    assert_true(asprintf(&f->sk_path, "%s/signing.key", f->dir) > 0);
    assert_true(asprintf(&f->fk_path, "%s/fleet.key", f->dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_key_create(f->sk_path, IAM_BUNDLE_SIGNING_KEY, false, &e), 0);
    assert_int_equal(iam_bundle_key_create(f->fk_path, IAM_BUNDLE_FLEET_KEY, false, &e), 0);
    assert_int_equal(iam_bundle_signing_key_load(f->sk_path, &f->sk, &e), 0);
    assert_int_equal(iam_bundle_fleet_key_load(f->fk_path, &f->fk, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fx *f = *state;

    iamtest_rmtree(f->dir);
    free(f->dir);
    free(f->sk_path);
    free(f->fk_path);
    free(f);
    return 0;
}

static void test_keys(void **state) {
    struct fx *f = *state;
    struct iam_bundle_signing_key sk2;
    struct iam_bundle_fleet_key fk2;
    struct iam_error e;
    struct stat sb;
    char b64[IAM_BUNDLE_PUBLIC_KEY_B64 + 1];
    uint8_t back[32];
    char *p;

    /* 0600, and refused as soon as group or others may read it */
    assert_int_equal(stat(f->sk_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_key_create(f->sk_path, IAM_BUNDLE_SIGNING_KEY, false, &e), -EEXIST);
    assert_non_null(strstr(e.text, "refusing to replace"));
    assert_int_equal(chmod(f->sk_path, 0640), 0);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_signing_key_load(f->sk_path, &sk2, &e), -EACCES);
    assert_non_null(strstr(e.text, "0600"));
    assert_int_equal(chmod(f->sk_path, 0600), 0);
    /* one kind is not the other */
    iam_error_init(&e);
    assert_int_equal(iam_bundle_fleet_key_load(f->sk_path, &fk2, &e), -EBADMSG);
    /* a symbolic link is refused */
    assert_true(asprintf(&p, "%s/link.key", f->dir) > 0);
    assert_int_equal(symlink(f->sk_path, p), 0);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_signing_key_load(p, &sk2, &e), -ELOOP);
    free(p);
    /* replacing makes another key */
    iam_error_init(&e);
    assert_int_equal(iam_bundle_key_create(f->sk_path, IAM_BUNDLE_SIGNING_KEY, true, &e), 0);
    assert_int_equal(iam_bundle_signing_key_load(f->sk_path, &sk2, &e), 0);
    assert_memory_not_equal(sk2.pk, f->sk.pk, 32);
    /* export copies the fleet key, refusing an existing destination */
    assert_true(asprintf(&p, "%s/exported.key", f->dir) > 0);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_fleet_key_export(f->fk_path, p, &e), 0);
    assert_int_equal(iam_bundle_fleet_key_load(p, &fk2, &e), 0);
    assert_memory_equal(fk2.sk, f->fk.sk, 32);
    assert_memory_equal(fk2.pk, f->fk.pk, 32);
    assert_int_equal(iam_bundle_fleet_key_export(f->fk_path, p, &e), -EEXIST);
    free(p);
    /* base64 both ways */
    iam_bundle_key_to_base64(f->sk.pk, b64);
    assert_int_equal(strlen(b64), 44);
    assert_int_equal(iam_bundle_key_from_base64(b64, back), 0);
    assert_memory_equal(back, f->sk.pk, 32);
    b64[43] = 'A';
    assert_int_equal(iam_bundle_key_from_base64(b64, back), -EINVAL);
    assert_int_equal(iam_bundle_key_from_base64("short", back), -EINVAL);
}

static void sample_manifest(const struct fx *f, struct iam_bundle_manifest *m) {
    memset(m, 0, sizeof(*m));
    memcpy(m->account_id, "123456789012", 13);
    m->serial = 42;
    m->created = 1796000000;
    m->expires = 1796000000 + 86400;
    memcpy(m->fleet_pk, f->fk.pk, 32);
    snprintf(m->files[0].path, sizeof(m->files[0].path), "nss.cache.0123456789abcdef.gz");
    snprintf(m->files[1].path, sizeof(m->files[1].path), "auth.cache.fedcba9876543210.sealed");
    snprintf(m->files[2].path, sizeof(m->files[2].path), "ssh_keys.cache.00112233aabbccdd.gz");
    m->files[0].size = 10;
    m->files[1].size = 20;
    m->files[2].size = 30;
    m->files[0].content_size = 100;
    m->files[1].content_size = 200;
    m->files[2].content_size = 300;
    m->files[0].sha256[0] = 1;
    m->files[1].sha256[31] = 2;
    m->files[2].sha256[7] = 3;
    m->settings[5] = 7;
}

static void test_manifest_roundtrip(void **state) {
    struct fx *f = *state;
    struct iam_bundle_manifest m, back;
    struct iam_bundle_signing_key other;
    struct iam_error e;
    char *text = NULL, *other_path = NULL;
    size_t len = 0;

    sample_manifest(f, &m);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_seal(&m, &f->sk, &text, &len, &e), 0);
    assert_int_equal(iam_bundle_manifest_open(text, len, f->sk.pk, &back, &e), 0);
    assert_memory_equal(&back, &m, sizeof(m));
    /* signed by another key */
    assert_true(asprintf(&other_path, "%s/other.key", f->dir) > 0);
    assert_int_equal(iam_bundle_key_create(other_path, IAM_BUNDLE_SIGNING_KEY, false, &e), 0);
    assert_int_equal(iam_bundle_signing_key_load(other_path, &other, &e), 0);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_open(text, len, other.pk, &back, &e), -EKEYREJECTED);
    assert_non_null(strstr(e.text, "signature"));
    free(other_path);
    free(text);
}

/* Every byte of manifest.json changed, one at a time, in several ways: never accepted. */
static void test_manifest_every_byte(void **state) {
    struct fx *f = *state;
    struct iam_bundle_manifest m, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0, refused = 0;
    static const unsigned char flips[] = {0x01, 0x20, 0x80};

    sample_manifest(f, &m);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_seal(&m, &f->sk, &text, &len, &e), 0);
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof(flips); k++) {
            char *copy = malloc(len);
            int r;
            assert_non_null(copy);
            memcpy(copy, text, len);
            copy[i] = (char)((unsigned char)copy[i] ^ flips[k]);
            iam_error_init(&e);
            r = iam_bundle_manifest_open(copy, len, f->sk.pk, &back, &e);
            /* the trailing newline and the JSON's insignificant bytes aside, a change must
             * either be refused or leave the very same manifest */
            if (r == 0)
                assert_memory_equal(&back, &m, sizeof(m));
            else
                refused++;
            assert_true(r == 0 || r == -EBADMSG || r == -EKEYREJECTED);
            free(copy);
        }
    /* what may stay readable: the final newline, and the unused low bits of the last base64
     * characters; everything else is refused */
    assert_true(len * sizeof(flips) - refused <= 12);
    /* truncated anywhere */
    for (size_t n = 0; n + 1 < len; n++) {
        iam_error_init(&e);
        assert_true(iam_bundle_manifest_open(text, n, f->sk.pk, &back, &e) < 0);
    }
    free(text);
}

static void test_manifest_bad_content(void **state) {
    struct fx *f = *state;
    struct iam_bundle_manifest m, back;
    struct iam_error e;
    char *text = NULL;
    size_t len = 0;

    /* a signed manifest with a file name that could leave the directory is still refused */
    sample_manifest(f, &m);
    snprintf(m.files[0].path, sizeof(m.files[0].path), "../../etc/passwd");
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_seal(&m, &f->sk, &text, &len, &e), 0);
    assert_int_equal(iam_bundle_manifest_open(text, len, f->sk.pk, &back, &e), -EBADMSG);
    assert_non_null(strstr(e.text, "Path"));
    free(text);
    /* Expires before Created */
    sample_manifest(f, &m);
    m.expires = m.created - 1;
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_seal(&m, &f->sk, &text, &len, &e), 0);
    assert_int_equal(iam_bundle_manifest_open(text, len, f->sk.pk, &back, &e), -EBADMSG);
    free(text);
    /* not JSON, and too large */
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_open("<html>", 6, f->sk.pk, &back, &e), -EBADMSG);
    text = calloc(1, IAM_BUNDLE_MANIFEST_MAX + 1);
    assert_non_null(text);
    iam_error_init(&e);
    assert_int_equal(
        iam_bundle_manifest_open(text, IAM_BUNDLE_MANIFEST_MAX + 1, f->sk.pk, &back, &e), -EBADMSG);
    free(text);
}

static void test_time(void **state) {
    char buf[32];
    int64_t t;

    (void)state;
    iam_bundle_format_time(1796000000, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-30T00:53:20Z");
    assert_int_equal(iam_bundle_parse_time(buf, &t), 0);
    assert_int_equal(t, 1796000000);
    assert_int_equal(iam_bundle_parse_time("2026-11-30T00:53:20+00:00", &t), -EINVAL);
    assert_int_equal(iam_bundle_parse_time("2026-11-30T00:53:20Zx", &t), -EINVAL);
}

static char *read_in(const char *dir, const char *name, size_t *len) {
    char *p = NULL, *buf;

    assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
    buf = iamtest_read_file(p, len);
    free(p);
    return buf;
}

static size_t count_files(const char *dir) {
    DIR *d = opendir(dir);
    size_t n = 0;

    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* what stands for ssh_keys.cache: the bundle code does not look inside */
#define SSH_IMAGE "ssh keys cache image, public"

static void publish(struct fx *f, const char *out, uint64_t serial, const char *nss,
                    const char *auth, struct iam_bundle_publish_report *rep) {
    struct iam_bundle_publish p = {.dir = out,
                                   .account_id = "123456789012",
                                   .serial = serial,
                                   .nss = nss,
                                   .nss_len = strlen(nss),
                                   .auth = auth,
                                   .auth_len = strlen(auth),
                                   .ssh = SSH_IMAGE,
                                   .ssh_len = strlen(SSH_IMAGE),
                                   .signing = &f->sk,
                                   .fleet_pk = f->fk.pk,
                                   .created = 1796000000,
                                   .expires = 1796000000 + 86400};
    struct iam_error e;

    iam_error_init(&e);
    assert_int_equal(iam_bundle_publish(&p, rep, &e), 0);
}

static void test_publish_and_decode(void **state) {
    struct fx *f = *state;
    struct iam_bundle_publish_report rep, rep2;
    struct iam_bundle_manifest m;
    struct iam_bundle_fleet_key other;
    struct iam_error e;
    char *out = NULL, *mtext, *nssf, *authf, *sshf, *other_path = NULL;
    void *plain = NULL;
    size_t mlen, nlen, alen, slen, plen;
    const char *nss = "nss cache image nss cache image nss cache image";
    const char *auth = "auth cache image with $argon2id$ hashes";

    assert_true(asprintf(&out, "%s/bundle", f->dir) > 0);
    publish(f, out, 7, nss, auth, &rep);
    assert_false(rep.reused);
    assert_int_equal(count_files(out), 4); /* the manifest and three data files */
    mtext = read_in(out, IAM_BUNDLE_MANIFEST, &mlen);
    iam_error_init(&e);
    assert_int_equal(iam_bundle_manifest_open(mtext, mlen, f->sk.pk, &m, &e), 0);
    assert_int_equal(m.serial, 7);
    nssf = read_in(out, m.files[IAM_BUNDLE_NSS].path, &nlen);
    authf = read_in(out, m.files[IAM_BUNDLE_AUTH].path, &alen);
    sshf = read_in(out, m.files[IAM_BUNDLE_SSH].path, &slen);
    assert_non_null(nssf);
    assert_non_null(authf);
    assert_non_null(sshf);
    assert_int_equal(iam_bundle_file_check(&m.files[IAM_BUNDLE_SSH], sshf, slen, &e), 0);
    assert_int_equal(iam_bundle_decode_public(&m.files[IAM_BUNDLE_SSH], sshf, slen, &plain, &plen, &e),
                     0);
    assert_int_equal(plen, strlen(SSH_IMAGE));
    assert_memory_equal(plain, SSH_IMAGE, plen);
    free(plain);
    /* the secrets are not in the clear, compressed or not */
    assert_null(memmem(authf, alen, "argon2id", 8));
    assert_int_equal(iam_bundle_file_check(&m.files[IAM_BUNDLE_NSS], nssf, nlen, &e), 0);
    assert_int_equal(iam_bundle_file_check(&m.files[IAM_BUNDLE_AUTH], authf, alen, &e), 0);
    assert_int_equal(iam_bundle_decode_public(&m.files[IAM_BUNDLE_NSS], nssf, nlen, &plain, &plen, &e),
                     0);
    assert_int_equal(plen, strlen(nss));
    assert_memory_equal(plain, nss, plen);
    free(plain);
    assert_int_equal(
        iam_bundle_decode_auth(&m.files[IAM_BUNDLE_AUTH], authf, alen, &f->fk, &plain, &plen, &e),
        0);
    assert_memory_equal(plain, auth, plen);
    free(plain);
    /* another fleet's key cannot open the secrets */
    assert_true(asprintf(&other_path, "%s/other-fleet.key", f->dir) > 0);
    assert_int_equal(iam_bundle_key_create(other_path, IAM_BUNDLE_FLEET_KEY, false, &e), 0);
    assert_int_equal(iam_bundle_fleet_key_load(other_path, &other, &e), 0);
    iam_error_init(&e);
    assert_int_equal(
        iam_bundle_decode_auth(&m.files[IAM_BUNDLE_AUTH], authf, alen, &other, &plain, &plen, &e),
        -EKEYREJECTED);
    /* any byte changed in a data file is refused by its hash; one byte short too */
    for (size_t i = 0; i < nlen; i++) {
        nssf[i] ^= 0x01;
        iam_error_init(&e);
        assert_int_equal(iam_bundle_file_check(&m.files[IAM_BUNDLE_NSS], nssf, nlen, &e), -EBADMSG);
        nssf[i] ^= 0x01;
    }
    assert_int_equal(iam_bundle_file_check(&m.files[IAM_BUNDLE_NSS], nssf, nlen - 1, &e), -EBADMSG);
    /* the account unchanged: the files are kept, only the manifest is new */
    publish(f, out, 7, nss, auth, &rep2);
    assert_true(rep2.reused);
    assert_string_equal(rep2.manifest.files[1].path, rep.manifest.files[1].path);
    /* a change: new files; the previous bundle's stay for readers of its manifest */
    publish(f, out, 8, "changed nss image", auth, &rep2);
    assert_false(rep2.reused);
    /* two of each, but the SSH key cache, whose content did not change: one file for both */
    assert_string_equal(rep2.manifest.files[IAM_BUNDLE_SSH].path,
                        rep.manifest.files[IAM_BUNDLE_SSH].path);
    assert_int_equal(count_files(out), 6);
    /* the next change removes the oldest */
    publish(f, out, 9, "changed again", auth, &rep2);
    assert_int_equal(rep2.removed, 2);
    assert_int_equal(count_files(out), 6);
    free(other_path);
    free(sshf);
    free(mtext);
    free(nssf);
    free(authf);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_every_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_bad_content, setup, teardown),
        cmocka_unit_test(test_time),
        cmocka_unit_test_setup_teardown(test_publish_and_decode, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
