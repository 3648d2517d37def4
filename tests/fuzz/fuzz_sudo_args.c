/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the approval plugin's parser of what sudo hands it (sudo_iam/parse.c).
 * The input is cut at NUL bytes into strings; an empty string ends one array and starts the
 * next, in the order settings, user_info, plugin options, command_info, run_argv. Both
 * parsers run on every input. A success must hold what the header promises (an owned user
 * name, an absolute command, a command line that is the command and the arguments joined by
 * spaces); a failure must say why. Crashes, sanitizer reports and leaks are findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sudo_iam_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_ARRAYS 5
#define MAX_PER_ARRAY 64

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_sudo_args: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy = malloc(size + 1), *arrays[N_ARRAYS][MAX_PER_ARRAY + 1];
    size_t counts[N_ARRAYS] = {0}, a = 0, start = 0;
    struct sudo_iam_info info;
    struct sudo_iam_command cmd;
    struct iam_error e;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (size_t i = 0; i <= size && a < N_ARRAYS; i++) {
        if (i < size && copy[i] != '\0')
            continue;
        if (i == start) {
            a++; /* an empty string: the next array */
        } else if (counts[a] < MAX_PER_ARRAY) {
            arrays[a][counts[a]++] = copy + start;
        }
        start = i + 1;
    }
    for (size_t k = 0; k < N_ARRAYS; k++)
        arrays[k][counts[k]] = NULL;

    iam_error_init(&e);
    memset(&info, 0, sizeof(info));
    if (sudo_iam_parse_open(arrays[0], arrays[1], arrays[2], &info, &e) == 0) {
        check(info.user && info.user[0], "a user name");
        check(!info.config_path || info.config_path[0] == '/', "config= is absolute");
        sudo_iam_info_done(&info);
    } else {
        check(e.text[0] != '\0', "an error says why");
    }

    iam_error_init(&e);
    memset(&cmd, 0, sizeof(cmd));
    if (sudo_iam_parse_command(arrays[3], arrays[4], false, &cmd, &e) == 0) {
        size_t n = strlen(cmd.command);

        check(cmd.command[0] == '/', "the command is absolute");
        check(cmd.runas_user && cmd.runas_user[0], "a run-as user");
        check(strncmp(cmd.command_line, cmd.command, n) == 0, "the line starts with the command");
        for (size_t i = 0; i < cmd.n_args; i++) {
            check(cmd.command_line[n] == ' ', "arguments joined by one space");
            check(strncmp(cmd.command_line + n + 1, cmd.args[i], strlen(cmd.args[i])) == 0,
                  "the arguments in order");
            n += 1 + strlen(cmd.args[i]);
        }
        check(cmd.command_line[n] == '\0', "nothing after the last argument");
        check(cmd.args[cmd.n_args] == NULL, "arguments NULL-terminated");
        sudo_iam_command_done(&cmd);
    } else {
        check(e.text[0] != '\0' || cmd.command == NULL, "an error says why");
    }
    free(copy);
    return 0;
}
