/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper: re-sign a bundle's manifest with fields changed, as a publisher holding the
 * signing key could (or an attacker who stole it: the refusals that do not rest on the
 * signature need a validly signed manifest).
 *   bundle_forge SIGNING_KEY IN OUT [serial=N] [account=ID] [created=+-SECONDS]
 *                [expires=+-SECONDS] [nss_size=N] [auth_size=N]
 * created and expires are relative to now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "iam/bundle.h"
#include "iam/fileio.h"

int main(int argc, char *argv[]) {
    struct iam_bundle_signing_key sk;
    struct iam_bundle_manifest m;
    struct iam_error e;
    char *in = NULL, *out = NULL;
    size_t len = 0, olen = 0;
    long long now = (long long)time(NULL);

    if (argc < 4 || sodium_init() < 0)
        return 2;
    iam_error_init(&e);
    if (iam_bundle_signing_key_load(argv[1], &sk, &e) < 0 ||
        iam_file_read_safe(argv[2], IAM_BUNDLE_MANIFEST_MAX, &in, &len, &e) < 0 ||
        iam_bundle_manifest_open(in, len, sk.pk, &m, &e) < 0) {
        fprintf(stderr, "bundle_forge: %s\n", e.text);
        return 1;
    }
    for (int i = 4; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        long long v;
        if (!eq)
            return 2;
        v = strtoll(eq + 1, NULL, 10);
        if (strncmp(argv[i], "serial=", 7) == 0)
            m.serial = (uint64_t)v;
        else if (strncmp(argv[i], "account=", 8) == 0)
            snprintf(m.account_id, sizeof(m.account_id), "%s", eq + 1);
        else if (strncmp(argv[i], "created=", 8) == 0)
            m.created = now + v;
        else if (strncmp(argv[i], "expires=", 8) == 0)
            m.expires = now + v;
        else if (strncmp(argv[i], "nss_size=", 9) == 0)
            m.files[IAM_BUNDLE_NSS].size = (uint64_t)v;
        else if (strncmp(argv[i], "auth_size=", 10) == 0)
            m.files[IAM_BUNDLE_AUTH].size = (uint64_t)v;
        else
            return 2;
    }
    if (iam_bundle_manifest_seal(&m, &sk, &out, &olen, &e) < 0 ||
        iam_file_write_atomic(argv[3], out, olen, 0644, &e) < 0) {
        fprintf(stderr, "bundle_forge: %s\n", e.text);
        return 1;
    }
    iam_bundle_key_wipe(&sk, sizeof(sk));
    free(in);
    free(out);
    return 0;
}
