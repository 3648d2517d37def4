/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vector_runner: run one policy conformance case against `iamctl simulate-custom-policy`.
 *
 *   vector_runner IAMCTL CASE_DIR
 *
 * A case directory holds plain JSON files (see tests/vectors/README.md):
 *   policy.json, policy2.json, ...    -> PolicyInputList (in that order)
 *   boundary.json, boundary2.json ... -> PermissionsBoundaryPolicyInputList
 *   resource-policy.json              -> ResourcePolicy
 *   request.json                      -> the rest of the SimulateCustomPolicy request
 *   expected.json | expected-error.json
 *
 * The runner embeds each policy file's text, byte for byte, as a JSON string (as the API takes
 * policy documents), writes the request to a private temporary file, runs
 * `IAMCTL simulate-custom-policy --cli-input-json file://TMP`, and compares the outcome with
 * the expectation. It prints a readable diff on mismatch and exits 0 (pass) or 1 (fail);
 * 2 means the case itself is malformed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#define EXIT_PASS 0
#define EXIT_MISMATCH 1
#define EXIT_BAD_CASE 2

#define MAX_FILE_BYTES (4u * 1024u * 1024u)
#define MAX_POLICY_FILES 32

static const char *case_dir;

static void bad_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad_case(const char *fmt, ...) {
    va_list ap;

    fprintf(stderr, "vector_runner: %s: malformed case: ", case_dir);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Read a whole file into a NUL-terminated buffer. Returns NULL (and prints why) on failure. */
static char *read_file(const char *path, size_t *ret_len) {
    char *buf = NULL, *result = NULL;
    size_t len = 0, cap = 0;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "vector_runner: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        ssize_t n;

        if (cap - len < 4096) {
            char *nb;

            if (cap >= MAX_FILE_BYTES) {
                fprintf(stderr, "vector_runner: %s is larger than %u bytes\n", path,
                        MAX_FILE_BYTES);
                goto out;
            }
            cap = cap ? cap * 2 : 8192;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                fprintf(stderr, "vector_runner: out of memory\n");
                goto out;
            }
            buf = nb;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "vector_runner: cannot read %s: %s\n", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (ret_len)
        *ret_len = len;
    result = buf;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return result;
}

static json_t *load_json(const char *path) {
    json_error_t err;
    json_t *j;

    j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        bad_case("%s:%d:%d: %s", path, err.line, err.column, err.text);
    return j;
}

static bool path_exists(const char *path) {
    struct stat st;

    return stat(path, &st) == 0;
}

/* "policy.json" -> 1, "policy2.json" -> 2, ...; 0 when name is not "<stem>[N].json". */
static unsigned file_index(const char *name, const char *stem) {
    size_t sl = strlen(stem);
    const char *p = name + sl;
    unsigned long n = 0;

    if (strncmp(name, stem, sl) != 0)
        return 0;
    if (strcmp(p, ".json") == 0)
        return 1;
    if (*p < '2' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (unsigned long)(*p - '0');
        if (n > MAX_POLICY_FILES)
            return 0;
        p++;
    }
    if (strcmp(p, ".json") != 0)
        return 0;
    return (unsigned)n;
}

/* Collect <stem>.json, <stem>2.json, ... into a JSON array of strings (file text verbatim),
 * in index order. Gaps in the numbering are a malformed case. Returns NULL on error. */
static json_t *collect_policies(const char *stem) {
    char *names[MAX_POLICY_FILES + 1] = {0};
    json_t *arr = NULL, *result = NULL;
    unsigned max = 0;
    struct dirent *de;
    DIR *d;

    d = opendir(case_dir);
    if (!d) {
        bad_case("cannot open directory: %s", strerror(errno));
        return NULL;
    }
    while ((de = readdir(d))) {
        unsigned i = file_index(de->d_name, stem);

        if (i == 0)
            continue;
        free(names[i]);
        names[i] = strdup(de->d_name);
        if (!names[i])
            goto out;
        if (i > max)
            max = i;
    }
    arr = json_array();
    if (!arr)
        goto out;
    for (unsigned i = 1; i <= max; i++) {
        char path[PATH_MAX];
        char *text;
        size_t len;
        json_t *s;

        if (!names[i]) {
            bad_case("%s%u.json is missing (numbering must have no gaps)", stem, i);
            goto out;
        }
        snprintf(path, sizeof(path), "%s/%s", case_dir, names[i]);
        text = read_file(path, &len);
        if (!text)
            goto out;
        s = json_stringn(text, len);
        free(text);
        if (!s) {
            bad_case("%s is not valid UTF-8", path);
            goto out;
        }
        if (json_array_append_new(arr, s) < 0)
            goto out;
    }
    result = arr;
    arr = NULL;
out:
    for (unsigned i = 0; i <= MAX_POLICY_FILES; i++)
        free(names[i]);
    json_decref(arr);
    closedir(d);
    return result;
}

/* Build the full request: request.json plus the policy lists. */
static json_t *build_request(void) {
    char path[PATH_MAX];
    json_t *req = NULL, *list = NULL, *result = NULL;

    snprintf(path, sizeof(path), "%s/request.json", case_dir);
    req = load_json(path);
    if (!req)
        goto out;
    if (!json_is_object(req)) {
        bad_case("request.json is not an object");
        goto out;
    }
    if (json_object_get(req, "PolicyInputList") ||
        json_object_get(req, "PermissionsBoundaryPolicyInputList") ||
        json_object_get(req, "ResourcePolicy")) {
        bad_case("request.json must not hold policies; they come from the policy files");
        goto out;
    }

    list = collect_policies("policy");
    if (!list)
        goto out;
    if (json_array_size(list) == 0) {
        bad_case("no policy.json");
        goto out;
    }
    if (json_object_set_new(req, "PolicyInputList", list) < 0) {
        list = NULL;
        goto out;
    }
    list = collect_policies("boundary");
    if (!list)
        goto out;
    if (json_array_size(list) > 0) {
        if (json_object_set_new(req, "PermissionsBoundaryPolicyInputList", list) < 0) {
            list = NULL;
            goto out;
        }
    } else
        json_decref(list);
    list = NULL;

    snprintf(path, sizeof(path), "%s/resource-policy.json", case_dir);
    if (path_exists(path)) {
        size_t len;
        char *text = read_file(path, &len);
        json_t *s;

        if (!text)
            goto out;
        s = json_stringn(text, len);
        free(text);
        if (!s || json_object_set_new(req, "ResourcePolicy", s) < 0) {
            bad_case("resource-policy.json is not valid UTF-8");
            goto out;
        }
    }
    result = req;
    req = NULL;
out:
    json_decref(list);
    json_decref(req);
    return result;
}

/* Run iamctl with the request file; capture stdout and stderr. Returns the exit status, or -1
 * when the process could not be run or did not exit normally. */
static int run_iamctl(char *iamctl, const char *request_path, char **ret_out,
                      char **ret_err) {
    char out_tmpl[] = "/tmp/vector-out-XXXXXX", err_tmpl[] = "/tmp/vector-err-XXXXXX";
    char arg[PATH_MAX + 16];
    int out_fd = -1, err_fd = -1, status, r = -1;
    char *out = NULL, *err = NULL;
    pid_t pid;

    out_fd = mkostemp(out_tmpl, O_CLOEXEC);
    if (out_fd < 0)
        goto out;
    err_fd = mkostemp(err_tmpl, O_CLOEXEC);
    if (err_fd < 0)
        goto out;
    snprintf(arg, sizeof(arg), "file://%s", request_path);

    pid = fork();
    if (pid < 0)
        goto out;
    if (pid == 0) {
        char verb[] = "simulate-custom-policy", opt[] = "--cli-input-json";
        char *argv[] = {iamctl, verb, opt, arg, NULL};
        int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(err_fd, STDERR_FILENO) < 0)
            _exit(127);
        execv(iamctl, argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            goto out;
    }
    out = read_file(out_tmpl, NULL);
    err = read_file(err_tmpl, NULL);
    if (!out || !err)
        goto out;
    if (WIFEXITED(status))
        r = WEXITSTATUS(status);
    else {
        fprintf(stderr, "vector_runner: iamctl died with signal %d\n",
                WIFSIGNALED(status) ? WTERMSIG(status) : -1);
        r = -1;
    }
    *ret_out = out;
    *ret_err = err;
    out = err = NULL;
out:
    if (out_fd >= 0) {
        close(out_fd);
        unlink(out_tmpl);
    }
    if (err_fd >= 0) {
        close(err_fd);
        unlink(err_tmpl);
    }
    free(out);
    free(err);
    return r;
}

static const char *str_field(json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void print_result_line(const char *tag, json_t *res) {
    const char *a = str_field(res, "EvalActionName"), *r = str_field(res, "EvalResourceName"),
               *d = str_field(res, "EvalDecision");

    fprintf(stderr, "  %s %s on %s -> %s\n", tag, a ? a : "(none)", r ? r : "(none)",
            d ? d : "(none)");
}

/* MatchedStatements as a set of (SourcePolicyId, StartPosition.Line). */
static bool matched_equal(json_t *want, json_t *got, size_t idx) {
    size_t nw = json_array_size(want), ng = json_is_array(got) ? json_array_size(got) : 0;
    bool ok = true;

    if (nw != ng)
        ok = false;
    for (size_t i = 0; ok && i < nw; i++) {
        json_t *w = json_array_get(want, i);
        const char *wid = str_field(w, "SourcePolicyId");
        json_int_t wline = json_integer_value(
            json_object_get(json_object_get(w, "StartPosition"), "Line"));
        bool found = false;

        for (size_t j = 0; j < ng && !found; j++) {
            json_t *g = json_array_get(got, j);
            const char *gid = str_field(g, "SourcePolicyId");
            json_t *gl = json_object_get(json_object_get(g, "StartPosition"), "Line");

            if (wid && gid && strcmp(wid, gid) == 0 && json_is_integer(gl) &&
                json_integer_value(gl) == wline)
                found = true;
        }
        if (!found)
            ok = false;
    }
    if (!ok) {
        char *ws = json_dumps(want, JSON_COMPACT), *gs = got ? json_dumps(got, JSON_COMPACT) : NULL;

        fprintf(stderr, "  result %zu: MatchedStatements differ\n    expected (set of id+line): %s\n"
                        "    actual: %s\n",
                idx + 1, ws ? ws : "?", gs ? gs : "(absent)");
        free(ws);
        free(gs);
    }
    return ok;
}

/* MissingContextValues as a set; key names compare case-insensitively (IAM key names are). */
static bool missing_equal(json_t *want, json_t *got, size_t idx) {
    size_t nw = json_array_size(want), ng = json_is_array(got) ? json_array_size(got) : 0;
    bool ok = true;

    for (size_t i = 0; ok && i < nw; i++) {
        const char *w = json_string_value(json_array_get(want, i));
        bool found = false;

        for (size_t j = 0; j < ng && !found; j++) {
            const char *g = json_string_value(json_array_get(got, j));

            found = w && g && strcasecmp(w, g) == 0;
        }
        ok = found;
    }
    for (size_t j = 0; ok && j < ng; j++) {
        const char *g = json_string_value(json_array_get(got, j));
        bool found = false;

        for (size_t i = 0; i < nw && !found; i++) {
            const char *w = json_string_value(json_array_get(want, i));

            found = w && g && strcasecmp(w, g) == 0;
        }
        ok = found;
    }
    if (!ok) {
        char *ws = json_dumps(want, JSON_COMPACT), *gs = got ? json_dumps(got, JSON_COMPACT) : NULL;

        fprintf(stderr, "  result %zu: MissingContextValues differ\n    expected (set): %s\n"
                        "    actual: %s\n",
                idx + 1, ws ? ws : "?", gs ? gs : "(absent)");
        free(ws);
        free(gs);
    }
    return ok;
}

static int check_results(json_t *expected, const char *out) {
    json_t *want = json_object_get(expected, "EvaluationResults"), *got_doc, *got;
    json_error_t err;
    size_t nw, ng;
    bool ok = true;

    got_doc = json_loads(out, 0, &err);
    if (!got_doc) {
        fprintf(stderr, "FAIL %s: iamctl stdout is not JSON (%d:%d: %s):\n%s\n", case_dir,
                err.line, err.column, err.text, out);
        return EXIT_MISMATCH;
    }
    got = json_object_get(got_doc, "EvaluationResults");
    if (!json_is_array(got)) {
        fprintf(stderr, "FAIL %s: no EvaluationResults array in iamctl output:\n%s\n", case_dir,
                out);
        json_decref(got_doc);
        return EXIT_MISMATCH;
    }
    nw = json_array_size(want);
    ng = json_array_size(got);
    for (size_t i = 0; i < nw || i < ng; i++) {
        json_t *w = json_array_get(want, i), *g = json_array_get(got, i);
        static const char *const fields[] = {"EvalActionName", "EvalResourceName",
                                             "EvalDecision"};
        bool same = w && g;

        for (size_t f = 0; same && f < 3; f++) {
            const char *ws = str_field(w, fields[f]), *gs = str_field(g, fields[f]);

            same = ws && gs && strcmp(ws, gs) == 0;
        }
        if (!same) {
            if (ok)
                fprintf(stderr, "FAIL %s: EvaluationResults differ\n", case_dir);
            fprintf(stderr, "  result %zu:\n", i + 1);
            if (w)
                print_result_line("expected", w);
            else
                fprintf(stderr, "  expected (no result)\n");
            if (g)
                print_result_line("actual  ", g);
            else
                fprintf(stderr, "  actual   (no result)\n");
            ok = false;
            continue;
        }
        if (json_object_get(w, "MatchedStatements") &&
            !matched_equal(json_object_get(w, "MatchedStatements"),
                           json_object_get(g, "MatchedStatements"), i)) {
            if (ok)
                fprintf(stderr, "FAIL %s: (details above)\n", case_dir);
            ok = false;
        }
        if (json_object_get(w, "MissingContextValues") &&
            !missing_equal(json_object_get(w, "MissingContextValues"),
                           json_object_get(g, "MissingContextValues"), i)) {
            if (ok)
                fprintf(stderr, "FAIL %s: (details above)\n", case_dir);
            ok = false;
        }
    }
    json_decref(got_doc);
    return ok ? EXIT_PASS : EXIT_MISMATCH;
}

static int check_error(json_t *expected, int status, const char *out, const char *errtext) {
    const char *source = str_field(expected, "Source"), *contains = str_field(expected, "Contains");
    json_int_t line = json_integer_value(json_object_get(expected, "Line"));
    json_int_t column = json_integer_value(json_object_get(expected, "Column"));
    char where[512];
    bool ok = true;

    snprintf(where, sizeof(where), "%s:%lld:%lld:", source, (long long)line, (long long)column);
    if (status != 1) {
        fprintf(stderr, "FAIL %s: expected iamctl to reject the policy with exit status 1, got %d\n",
                case_dir, status);
        ok = false;
    }
    if (!strstr(errtext, where)) {
        fprintf(stderr, "FAIL %s: stderr lacks the position \"%s\"\n", case_dir, where);
        ok = false;
    }
    if (contains && *contains && !strstr(errtext, contains)) {
        fprintf(stderr, "FAIL %s: stderr lacks \"%s\"\n", case_dir, contains);
        ok = false;
    }
    if (!ok)
        fprintf(stderr, "  iamctl stderr: %s  iamctl stdout: %s\n", errtext, out);
    return ok ? EXIT_PASS : EXIT_MISMATCH;
}

/* Sanity checks on the expectation itself, so a typo in the corpus cannot pass silently. */
static bool expectation_valid(json_t *expected, bool is_error) {
    const char *rule = str_field(expected, "Rule");

    if (!json_is_object(expected)) {
        bad_case("expectation is not an object");
        return false;
    }
    if (!rule || strlen(rule) < 10) {
        bad_case("expectation needs a \"Rule\" naming the documented rule");
        return false;
    }
    if (is_error) {
        if (!str_field(expected, "Source") || !json_is_integer(json_object_get(expected, "Line")) ||
            !json_is_integer(json_object_get(expected, "Column")) ||
            !json_is_string(json_object_get(expected, "Contains"))) {
            bad_case("expected-error.json needs Source, Line, Column and Contains");
            return false;
        }
        return true;
    }
    json_t *res = json_object_get(expected, "EvaluationResults");
    if (!json_is_array(res) || json_array_size(res) == 0) {
        bad_case("expected.json needs a non-empty EvaluationResults array");
        return false;
    }
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        const char *d = str_field(r, "EvalDecision");

        if (!str_field(r, "EvalActionName") || !str_field(r, "EvalResourceName") || !d ||
            (strcmp(d, "allowed") != 0 && strcmp(d, "explicitDeny") != 0 &&
             strcmp(d, "implicitDeny") != 0)) {
            bad_case("EvaluationResults[%zu] needs EvalActionName, EvalResourceName and an "
                     "EvalDecision of allowed, explicitDeny or implicitDeny",
                     i);
            return false;
        }
    }
    return true;
}

int main(int argc, char *argv[]) {
    char exp_path[PATH_MAX], err_path[PATH_MAX], req_tmpl[] = "/tmp/vector-req-XXXXXX";
    json_t *expected = NULL, *request = NULL;
    char *out = NULL, *errtext = NULL;
    bool is_error;
    int r = EXIT_BAD_CASE, fd = -1, status;

    if (argc != 3) {
        fprintf(stderr, "usage: vector_runner IAMCTL CASE_DIR\n");
        return EXIT_BAD_CASE;
    }
    case_dir = argv[2];

    snprintf(exp_path, sizeof(exp_path), "%s/expected.json", case_dir);
    snprintf(err_path, sizeof(err_path), "%s/expected-error.json", case_dir);
    is_error = path_exists(err_path);
    if (is_error == path_exists(exp_path)) {
        bad_case("needs exactly one of expected.json and expected-error.json");
        goto out;
    }
    expected = load_json(is_error ? err_path : exp_path);
    if (!expected || !expectation_valid(expected, is_error))
        goto out;
    request = build_request();
    if (!request)
        goto out;

    fd = mkostemp(req_tmpl, O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "vector_runner: mkstemp: %s\n", strerror(errno));
        goto out;
    }
    if (json_dumpfd(request, fd, JSON_INDENT(2)) < 0) {
        fprintf(stderr, "vector_runner: cannot write the request\n");
        goto out;
    }

    status = run_iamctl(argv[1], req_tmpl, &out, &errtext);
    if (status < 0) {
        fprintf(stderr, "FAIL %s: could not run %s\n", case_dir, argv[1]);
        r = EXIT_MISMATCH;
        goto out;
    }
    if (is_error)
        r = check_error(expected, status, out, errtext);
    else if (status != 0) {
        fprintf(stderr, "FAIL %s: iamctl exited %d (expected 0)\n  stderr: %s\n", case_dir,
                status, errtext);
        r = EXIT_MISMATCH;
    } else
        r = check_results(expected, out);
    if (r == EXIT_PASS)
        printf("PASS %s\n", case_dir);
    else
        fprintf(stderr, "  rule: %s\n", str_field(expected, "Rule"));
out:
    if (fd >= 0) {
        close(fd);
        unlink(req_tmpl);
    }
    free(out);
    free(errtext);
    json_decref(request);
    json_decref(expected);
    return r;
}
