/* SPDX-License-Identifier: Apache-2.0 */
/* TOTP through liboath, loaded on first use (totp.h). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "iam/totp.h"

/* liboath's signatures (oath.h), declared here so that nothing links against it. */
struct oath_api {
    int (*init)(void);
    int (*totp_generate)(const char *secret, size_t secret_length, time_t now,
                         unsigned time_step_size, time_t start_offset, unsigned digits,
                         char *output_otp);
    int (*base32_encode)(const char *in, size_t inlen, char **out, size_t *outlen);
    int (*base32_decode)(const char *in, size_t inlen, char **out, size_t *outlen);
};

static struct oath_api oath;
static void *oath_handle; /* kept open for the life of the process: oath points into it */
static int oath_state; /* 0 not tried, 1 loaded, -ENOTSUP unavailable */
static char oath_why[200];
static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void load_once(void) {
    void *h = dlopen(IAM_TOTP_LIBRARY, RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        const char *e = dlerror();
        snprintf(oath_why, sizeof(oath_why), "%s", e ? e : IAM_TOTP_LIBRARY ": cannot load");
        oath_state = -ENOTSUP;
        return;
    }
    *(void **)&oath.init = dlsym(h, "oath_init");
    *(void **)&oath.totp_generate = dlsym(h, "oath_totp_generate");
    *(void **)&oath.base32_encode = dlsym(h, "oath_base32_encode");
    *(void **)&oath.base32_decode = dlsym(h, "oath_base32_decode");
    if (!oath.init || !oath.totp_generate || !oath.base32_encode || !oath.base32_decode ||
        oath.init() != 0) {
        snprintf(oath_why, sizeof(oath_why), IAM_TOTP_LIBRARY ": missing functions");
        oath_state = -ENOTSUP;
        memset(&oath, 0, sizeof(oath));
        dlclose(h);
        return;
    }
    oath_handle = h;
    oath_state = 1;
}

static int load(void) {
    if (pthread_once(&oath_once, load_once) != 0)
        return -ENOTSUP;
    return oath_state == 1 ? 0 : -ENOTSUP;
}

int iam_totp_load(struct iam_error *reterr) {
    int r = load();

    if (r < 0)
        iam_error_set(reterr, 0, 0, 0, "TOTP needs liboath (Debian package liboath0): %s",
                      oath_why);
    return r;
}

int64_t iam_totp_counter(int64_t t) {
    return t < 0 ? 0 : t / IAM_TOTP_STEP;
}

int iam_totp_code(const uint8_t *seed, size_t len, int64_t counter,
                  char out[IAM_TOTP_DIGITS + 1]) {
    int r = load();

    if (r < 0)
        return r;
    if (!seed || len == 0 || counter < 0 || counter > INT64_MAX / IAM_TOTP_STEP)
        return -EINVAL;
    if (oath.totp_generate((const char *)seed, len, (time_t)(counter * IAM_TOTP_STEP),
                           IAM_TOTP_STEP, 0, IAM_TOTP_DIGITS, out) != 0)
        return -EIO;
    out[IAM_TOTP_DIGITS] = '\0';
    return 0;
}

int iam_totp_match(const uint8_t *seed, size_t len, int64_t center, unsigned window,
                   const char *code, int64_t *ret_counter) {
    char want[IAM_TOTP_DIGITS + 1];
    int64_t hit = -1;
    int r = 0;

    if (!code || strlen(code) != IAM_TOTP_DIGITS ||
        strspn(code, "0123456789") != IAM_TOTP_DIGITS)
        return -EINVAL;
    for (int64_t c = center - (int64_t)window; c <= center + (int64_t)window; c++) {
        if (c < 0)
            continue;
        r = iam_totp_code(seed, len, c, want);
        if (r < 0)
            break;
        /* every counter is computed and compared: the time does not say which matched */
        if (sodium_memcmp(want, code, IAM_TOTP_DIGITS) == 0 && hit < 0)
            hit = c;
    }
    sodium_memzero(want, sizeof(want));
    if (r < 0)
        return r;
    if (hit < 0)
        return -ENOENT;
    *ret_counter = hit;
    return 0;
}

int iam_totp_base32_encode(const uint8_t *seed, size_t len, char *out, size_t size) {
    char *b = NULL;
    size_t n = 0, k;
    int r = load();

    if (r < 0)
        return r;
    if (oath.base32_encode((const char *)seed, len, &b, &n) != 0 || !b)
        return -EIO;
    /* no padding, as AWS's Base32StringSeed */
    for (k = 0; k < n && b[k] != '='; k++)
        ;
    if (k + 1 > size) {
        r = -ERANGE;
    } else {
        memcpy(out, b, k);
        out[k] = '\0';
    }
    sodium_memzero(b, n);
    free(b);
    return r;
}

int iam_totp_base32_decode(const char *text, uint8_t *out, size_t size, size_t *ret_len) {
    char *b = NULL;
    size_t n = 0;
    int r = load();

    if (r < 0)
        return r;
    if (oath.base32_decode(text, strlen(text), &b, &n) != 0 || !b)
        return -EINVAL;
    if (n == 0 || n > size) {
        r = n == 0 ? -EINVAL : -ERANGE;
    } else {
        memcpy(out, b, n);
        *ret_len = n;
    }
    sodium_memzero(b, n);
    free(b);
    return r;
}
