/* SPDX-License-Identifier: Apache-2.0 */
/* iam-pull: what `iamctl pull` runs. Kept out of iamctl so that only a pull loads libcurl
 * (and with it TLS and the resolver): every other verb starts as fast as before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "iam/config.h"
#include "pull.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

int main(int argc, char *argv[]) {
    const char *config_path = IAM_SYSCONFDIR "/iam.conf";
    struct iam_config *c = NULL;
    struct pull_outcome out;
    struct iam_error e;
    char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    json_t *j = NULL;
    char *text = NULL;
    int r, ret = EXIT_FAIL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        } else {
            fprintf(stderr,
                    "iamctl: pull: unknown option %s (usage: iamctl [--config FILE] "
                    "pull)\n",
                    argv[i]);
            return EXIT_USAGE;
        }
    }
    iam_error_init(&e);
    if (sodium_init() < 0 || fetch_global_init() < 0) {
        fprintf(stderr, "iamctl: pull: libsodium or libcurl failed to initialise\n");
        return EXIT_FAIL;
    }
    if (iam_config_load(config_path, &c, &e) < 0) {
        fprintf(stderr, "iamctl: %s\n", iam_error_format(&e, buf, sizeof(buf)));
        goto out;
    }
    if (!c->bundle_url) {
        fprintf(stderr,
                "iamctl: pull: %s has no bundle_url: this host keeps its own store "
                "(iamctl init --bundle-url makes a host that pulls)\n",
                config_path);
        goto out;
    }
    r = pull_bundle(c, isatty(STDERR_FILENO) != 0, &out, &e);
    if (r < 0) {
        fprintf(stderr, "iamctl: pull: %s: %s\n", pull_refusal_code(out.refusal),
                iam_error_format(&e, buf, sizeof(buf)));
        if (out.serial)
            fprintf(stderr,
                    "iamctl: pull: nothing was installed; the installed bundle (Serial "
                    "%llu) stays in use\n",
                    (unsigned long long)out.serial);
        else
            fprintf(stderr, "iamctl: pull: nothing was installed (no bundle installed yet)\n");
        goto out;
    }
    j = json_pack("{s:I,s:b}", "Serial", (json_int_t)out.serial, "Installed", out.installed);
    if (!j || !(text = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER))) {
        fprintf(stderr, "iamctl: pull: out of memory\n");
        goto out;
    }
    printf("%s\n", text);
    ret = 0;
    if (out.warning[0]) {
        fprintf(stderr, "iamctl: pull: installed, but %s\n", out.warning);
        ret = EXIT_FAIL;
    }
    if (fflush(stdout) != 0)
        ret = EXIT_FAIL;
out:
    free(text);
    json_decref(j);
    iam_config_free(c);
    fetch_global_cleanup();
    return ret;
}
