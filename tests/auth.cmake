# Tests for passwords and second factors: the failed-login tally and lockout, the account
# password policy
# (common/faillock.c, pam_iam/lockout.c, iamctl list-lockouts / reset-lockout).
if(IAM_TESTS)
  iam_add_test(test_faillock SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_faillock.c LABELS unit)
  iam_add_test(test_totp SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_totp.c LABELS unit)

  iam_add_script_test(auth_lockout
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/auth/test_lockout.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam_testclock> ${PAM_WRAPPER_LIBRARY}
    LABELS module TIMEOUT 300 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
  set_tests_properties(auth_lockout PROPERTIES SKIP_RETURN_CODE 77)

  iam_add_script_test(auth_password_policy
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/auth/test_password_policy.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam_testclock> ${PAM_WRAPPER_LIBRARY}
    LABELS module TIMEOUT 300 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
  set_tests_properties(auth_password_policy PROPERTIES SKIP_RETURN_CODE 77)

  iam_add_script_test(auth_mfa
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/auth/test_mfa.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam_testclock> ${PAM_WRAPPER_LIBRARY}
    LABELS module TIMEOUT 300 ENV "PAM_PRELOAD=${PAM_TEST_PRELOAD}")
  set_tests_properties(auth_mfa PROPERTIES SKIP_RETURN_CODE 77)
endif()

# Roles: NSS entries (getent loads nss_iam: not under the sanitizers), no direct login, the
# sts:AssumeRole decision matrix with pamtester -I ruser=, AssumeRole audit records.
if(IAM_TESTS AND NOT IAM_SANITIZE)
  iam_add_script_test(auth_roles
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/auth/test_roles.sh
            $<TARGET_FILE:iamctl> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
            $<TARGET_FILE:nss_iam>
    LABELS module TIMEOUT 300)
  set_tests_properties(auth_roles PROPERTIES SKIP_RETURN_CODE 77)
endif()

# End to end: real sshd and setuid sudo in a private namespace, sudo gated by MFA.
if(IAM_E2E)
  iam_add_script_test(e2e_mfa_sudo
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_mfa_sudo.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iam_approval> $<TARGET_FILE:iamctl>
            ${PROJECT_SOURCE_DIR}/packaging ${CMAKE_BINARY_DIR}/packaging/iam-sudo-conf
            ${IAM_SUDO_PLUGIN_DIR}/iam_approval.so
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_mfa_sudo PROPERTIES SKIP_RETURN_CODE 77)
endif()

# Fuzzer: the failed-login tally's parser.
if(IAM_FUZZ)
  iam_add_fuzz(fuzz_faillock SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_faillock.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/faillock)
endif()

# Benchmark (not a timed test): refusals locked, not locked and unknown side by side, and
# what the lockout adds to a success. `cmake --build build --target run_bench_lockout`.
if(IAM_BENCH)
  set(LOCKOUT_BENCH_DIR ${CMAKE_CURRENT_BINARY_DIR}/lockout_bench_services)
  set(LOCKOUT_BENCH_FIXTURE ${CMAKE_CURRENT_BINARY_DIR}/lockout_bench_fixture)
  file(GENERATE OUTPUT ${LOCKOUT_BENCH_DIR}/lockout_on CONTENT
"auth     required $<TARGET_FILE:pam_iam> config=${LOCKOUT_BENCH_FIXTURE}/lockout.conf
")
  file(GENERATE OUTPUT ${LOCKOUT_BENCH_DIR}/lockout_off CONTENT
"auth     required $<TARGET_FILE:pam_iam> config=${LOCKOUT_BENCH_FIXTURE}/iam.conf
")
  file(GENERATE OUTPUT ${LOCKOUT_BENCH_DIR}/other CONTENT
"auth     required pam_deny.so
")
  add_executable(bench_lockout ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_lockout.c
                 ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_stats.c)
  target_link_libraries(bench_lockout PRIVATE pamfx ${PAM_LIBRARY} m)
  add_dependencies(bench_lockout pam_iam)
  add_custom_target(run_bench_lockout
    COMMAND rm -rf ${LOCKOUT_BENCH_FIXTURE}
    COMMAND env LD_PRELOAD=${PAM_WRAPPER_LIBRARY} PAM_WRAPPER=1
            PAM_WRAPPER_SERVICE_DIR=${LOCKOUT_BENCH_DIR} $<TARGET_FILE:bench_lockout>
            ${LOCKOUT_BENCH_FIXTURE}
    DEPENDS bench_lockout pam_iam USES_TERMINAL)
endif()
