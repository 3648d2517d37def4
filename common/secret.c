/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets (iam/secret.h; docs/architecture.md, "Secrets").
 *
 * Access-key secrets: 30 random bytes (240 bits) shown as 40 base64 characters. They carry
 * full entropy, so a slow hash buys nothing; a salted, keyed BLAKE2b keeps a login fast:
 *   $iamb2k$v=1$<salt: 16 bytes, base64 no padding>$<hash: 32 bytes, base64 no padding>
 * where hash = BLAKE2b-256(key = salt, personal = "iam-host-akey-v1", message = secret).
 *
 * Passwords: argon2id through crypto_pwhash_str with the "interactive" limits (2 passes,
 * 64 MiB). pam_iam verifies inside sshd/login/sudo for every attempt, possibly many at once:
 * "moderate" (256 MiB, ~0.7 s) would let a burst of password attempts exhaust memory on a
 * small host and makes every login visibly slow; "interactive" is libsodium's documented
 * choice for online logins and still costs an attacker ~64 MiB and tens of ms per guess.
 * A stored hash asking for more than 1 GiB or 16 passes is refused as malformed, so a
 * hand-edited database cannot turn one login into a denial of service.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iam/secret.h"

#define KEY_HASH_PREFIX "$iamb2k$v=1$"
#define KEY_SALT_BYTES 16
#define KEY_HASH_BYTES 32
#define PW_PREFIX "$argon2id$"
#define PW_MAX_MEM_KIB (1024u * 1024u)
#define PW_MAX_PASSES 16u

static const unsigned char key_personal[crypto_generichash_blake2b_PERSONALBYTES] =
    "iam-host-akey-v1";

/* Fixed dummies for equal work: hashes of random values nobody kept, made once with the
 * same parameters the real hashes use. */
static const char dummy_key_hash[] =
    "$iamb2k$v=1$pvRJ7VOQm1mQh6W8V0nbzg$Rq1mz7Xc7yQz1pXr0wA3uQ1b2V6mJtcSx7o8wS3dQ1A";
static const char dummy_password_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$xHw2polwqBBiLwUILUqdJQ$"
    "lIypYTGU7kKzzrMuijMbeY3PZKvwyUrXN+jqlJs8dJg";

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int iam_secret_init(void) {
    return sodium_init() < 0 ? -ENOTSUP : 0;
}

int iam_access_key_generate(char id[IAM_ACCESS_KEY_ID_LEN + 1],
                            char secret[IAM_SECRET_KEY_LEN + 1]) {
    unsigned char raw[30];
    int r = -EINVAL;

    if (!id || !secret)
        return -EINVAL;
    memcpy(id, "AKIA", 4);
    for (size_t i = 4; i < IAM_ACCESS_KEY_ID_LEN; i++)
        id[i] = b32[randombytes_uniform(32)];
    id[IAM_ACCESS_KEY_ID_LEN] = '\0';
    randombytes_buf(raw, sizeof(raw));
    /* 30 bytes -> exactly 40 characters, no padding */
    if (!sodium_bin2base64(secret, IAM_SECRET_KEY_LEN + 1, raw, sizeof(raw),
                           sodium_base64_VARIANT_ORIGINAL))
        goto out;
    if (strlen(secret) != IAM_SECRET_KEY_LEN)
        goto out;
    r = 0;
out:
    sodium_memzero(raw, sizeof(raw));
    if (r < 0)
        sodium_memzero(secret, IAM_SECRET_KEY_LEN + 1);
    return r;
}

bool iam_access_key_id_valid(const char *id) {
    if (!id || strncmp(id, "AKIA", 4) != 0)
        return false;
    for (size_t i = 4; i < IAM_ACCESS_KEY_ID_LEN; i++)
        if (!id[i] || !strchr(b32, id[i]))
            return false;
    return id[IAM_ACCESS_KEY_ID_LEN] == '\0';
}

bool iam_secret_key_valid(const char *secret, size_t len) {
    if (!secret || len != IAM_SECRET_KEY_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = secret[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return true;
}

static int key_digest(const unsigned char salt[KEY_SALT_BYTES], const char *secret, size_t len,
                      unsigned char out[KEY_HASH_BYTES]) {
    return crypto_generichash_blake2b_salt_personal(out, KEY_HASH_BYTES,
                                                    (const unsigned char *)secret, len, NULL, 0,
                                                    salt, key_personal) == 0
               ? 0
               : -EINVAL;
}

/* The salt doubles as BLAKE2b's salt parameter (16 bytes); no separate key is needed since
 * the secret itself is the high-entropy input. */
int iam_secret_hash_key(const char *secret, size_t len, char *out, size_t out_size) {
    unsigned char salt[KEY_SALT_BYTES], h[KEY_HASH_BYTES];
    char salt64[sodium_base64_ENCODED_LEN(KEY_SALT_BYTES,
                                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    char h64[sodium_base64_ENCODED_LEN(KEY_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    int r = -EINVAL, n;

    if (!secret || !out)
        return -EINVAL;
    randombytes_buf(salt, sizeof(salt));
    r = key_digest(salt, secret, len, h);
    if (r < 0)
        goto out;
    sodium_bin2base64(salt64, sizeof(salt64), salt, sizeof(salt),
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_bin2base64(h64, sizeof(h64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    n = snprintf(out, out_size, KEY_HASH_PREFIX "%s$%s", salt64, h64);
    if (n < 0 || (size_t)n >= out_size) {
        r = -ERANGE;
        goto out;
    }
    r = 0;
out:
    sodium_memzero(h, sizeof(h));
    if (r < 0 && out && out_size > 0)
        out[0] = '\0';
    return r;
}

int iam_secret_hash_password(const char *password, size_t len, char *out, size_t out_size) {
    char tmp[crypto_pwhash_STRBYTES];
    int r = -EINVAL;

    if (!password || !out)
        return -EINVAL;
    if (len > IAM_PASSWORD_MAX)
        return -E2BIG;
    if (crypto_pwhash_str(tmp, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        r = -ENOMEM; /* libsodium's only failure here is running out of memory */
        goto out;
    }
    if (strlen(tmp) + 1 > out_size) {
        r = -ERANGE;
        goto out;
    }
    memcpy(out, tmp, strlen(tmp) + 1);
    r = 0;
out:
    sodium_memzero(tmp, sizeof(tmp));
    return r;
}

/* Parse "$iamb2k$v=1$<salt>$<hash>". */
static int parse_key_hash(const char *hash, unsigned char salt[KEY_SALT_BYTES],
                          unsigned char h[KEY_HASH_BYTES]) {
    const char *s = hash + strlen(KEY_HASH_PREFIX), *dollar;
    size_t n;

    dollar = strchr(s, '$');
    if (!dollar)
        return -EINVAL;
    if (sodium_base642bin(salt, KEY_SALT_BYTES, s, (size_t)(dollar - s), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        n != KEY_SALT_BYTES)
        return -EINVAL;
    s = dollar + 1;
    if (sodium_base642bin(h, KEY_HASH_BYTES, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        n != KEY_HASH_BYTES)
        return -EINVAL;
    return 0;
}

/* Expect the literal `lit` at *s, then 1-10 decimal digits ending in `end`; no sign, no
 * leading zeros, no overflow (sscanf's %lu allows all three and is undefined out of
 * range). */
static int take_param(const char **s, const char *lit, char end, unsigned long *ret) {
    const char *p = *s;
    unsigned long v = 0;
    size_t n = 0;

    if (strncmp(p, lit, strlen(lit)) != 0)
        return -EINVAL;
    p += strlen(lit);
    while (p[n] >= '0' && p[n] <= '9') {
        if (n == 10)
            return -EINVAL;
        v = v * 10 + (unsigned long)(p[n] - '0');
        n++;
    }
    if (n == 0 || (n > 1 && p[0] == '0') || p[n] != end)
        return -EINVAL;
    *s = p + n + 1;
    *ret = v;
    return 0;
}

/* "$argon2id$v=19$m=<kib>,t=<passes>,p=<lanes>$...": refuse absurd cost parameters. */
static int check_pw_params(const char *hash) {
    unsigned long m, t, p;
    const char *s = hash;

    if (take_param(&s, "$argon2id$v=", '$', &m) < 0 || m != 19)
        return -EINVAL;
    if (take_param(&s, "m=", ',', &m) < 0 || take_param(&s, "t=", ',', &t) < 0 ||
        take_param(&s, "p=", '$', &p) < 0)
        return -EINVAL;
    if (m > PW_MAX_MEM_KIB || t > PW_MAX_PASSES || t == 0 || p != 1)
        return -EINVAL;
    return 0;
}

int iam_secret_verify(const char *hash, const char *secret, size_t len) {
    unsigned char salt[KEY_SALT_BYTES], want[KEY_HASH_BYTES], got[KEY_HASH_BYTES];
    int r = -EINVAL;

    if (!hash || !secret)
        return -EINVAL;
    if (strnlen(hash, IAM_SECRET_HASH_MAX) >= IAM_SECRET_HASH_MAX)
        return -EINVAL;
    if (strncmp(hash, KEY_HASH_PREFIX, strlen(KEY_HASH_PREFIX)) == 0) {
        r = parse_key_hash(hash, salt, want);
        if (r < 0)
            goto out;
        r = key_digest(salt, secret, len, got);
        if (r < 0)
            goto out;
        r = crypto_verify_32(got, want) == 0 ? 1 : 0;
    } else if (strncmp(hash, PW_PREFIX, strlen(PW_PREFIX)) == 0) {
        r = check_pw_params(hash);
        if (r < 0)
            goto out;
        if (len > IAM_PASSWORD_MAX) {
            /* refuse the work bound, but spend the same time as a wrong password */
            iam_secret_verify_dummy_password(secret, IAM_PASSWORD_MAX);
            r = 0;
            goto out;
        }
        {
            /* libsodium's prototype reads a crypto_pwhash_STRBYTES array */
            char str[crypto_pwhash_STRBYTES] = {0};

            if (strlen(hash) >= sizeof(str)) {
                r = -EINVAL;
                goto out;
            }
            memcpy(str, hash, strlen(hash));
            r = crypto_pwhash_str_verify(str, secret, len) == 0 ? 1 : 0;
        }
    } else if (hash[0] == '$') {
        r = -ENOTSUP;
    } else {
        r = -EINVAL;
    }
out:
    sodium_memzero(got, sizeof(got));
    sodium_memzero(want, sizeof(want));
    sodium_memzero(salt, sizeof(salt));
    return r;
}

void iam_secret_verify_dummy_key(const char *secret, size_t len) {
    volatile int r = iam_secret_verify(dummy_key_hash, secret ? secret : "", secret ? len : 0);
    (void)r;
}

void iam_secret_verify_dummy_password(const char *password, size_t len) {
    volatile int r;

    if (len > IAM_PASSWORD_MAX)
        len = IAM_PASSWORD_MAX;
    r = crypto_pwhash_str_verify(dummy_password_hash, password ? password : "", password ? len : 0);
    (void)r;
}

void iam_secret_free(void *p, size_t len) {
    if (!p)
        return;
    sodium_memzero(p, len);
    free(p);
}
