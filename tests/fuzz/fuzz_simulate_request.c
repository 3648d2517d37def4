/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the simulate-custom-policy request parsers. The first byte picks what the
 * rest of the input is:
 *   0: a --cli-input-json request document (through a file, so NUL bytes reach the parser),
 *      run through the whole verb: parse, compile every policy, evaluate, print;
 *   1: a --context-entries argument (JSON array/object or shorthand), simulate_context_arg;
 *   2: one shorthand entry, simulate_context_entry_shorthand.
 * Run with -close_fd_mask=3: the verb prints its answer or error on stdout/stderr.
 * Crashes, sanitizer reports and leaks are findings; so is an exit code other than 0, 1, 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iamctl.h"
#include "simulate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[256];
static char path[300];
static char arg[320];

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_simulate_request: invariant broken: %s\n", what);
        abort();
    }
}

static void cleanup(void) {
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "%s/fuzz_simulate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    check(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof(path), "%s/request.json", dir);
    snprintf(arg, sizeof(arg), "file://%s", path);
    atexit(cleanup);
    return 0;
}

static void run_request(const uint8_t *data, size_t size) {
    char verb[] = "simulate-custom-policy", flag[] = "--cli-input-json";
    char *argv[] = {verb, flag, arg, NULL};
    int fd, rc;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    check(fd >= 0, "create the request file");
    check(write(fd, data, size) == (ssize_t)size, "write the request file");
    close(fd);
    rc = verb_simulate_custom_policy(3, argv);
    check(rc == IAMCTL_EXIT_OK || rc == IAMCTL_EXIT_FAIL || rc == IAMCTL_EXIT_USAGE,
          "exit code is 0, 1 or 2");
    fflush(stdout);
}

static void run_context(const uint8_t *data, size_t size, bool shorthand) {
    struct iam_context *ctx = NULL;
    struct iam_error err;
    char *text;

    /* A command-line argument cannot hold a NUL: cut there, as argv would. */
    text = strndup((const char *)data, size);
    check(text != NULL, "strndup");
    check(iam_context_new(&ctx) == 0, "iam_context_new");
    iam_error_init(&err);
    /* Never a file:// argument: it would read arbitrary paths. */
    if (strncmp(text, "file://", 7) != 0) {
        int r = shorthand ? simulate_context_entry_shorthand(text, ctx, &err)
                          : simulate_context_arg(text, ctx, &err);
        /* Bad input must be explained; only running out of memory may come back bare.
         * (This check found a backslash inside a shorthand [list] coming back as a bare
         * -ENOMEM, fixed in c0b274f; tests/hostile/test_hostile_regressions.sh case 3.) */
        if (r < 0 && r != -ENOMEM)
            check(err.text[0] != '\0', "an error has a text");
    }
    iam_context_free(ctx);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        run_request(data + 1, size - 1);
        break;
    case 1:
        run_context(data + 1, size - 1, false);
        break;
    default:
        run_context(data + 1, size - 1, true);
        break;
    }
    return 0;
}
