# Tests for sudo decided per command: the login-session record (common/login_session.c), the
# approval plugin (sudo_iam/iam_approval.so) with the real sudo, its fuzzer and benchmark.
if(IAM_TESTS)
  iam_add_test(test_login_session SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_login_session.c
               LABELS unit)
  iam_add_test(test_sudo_parse SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sudo_parse.c
               LIBS sudo_iam_parse LABELS unit)
endif()

# The real sudo in a private namespace (root; the host is untouched).
if(IAM_E2E)
  iam_add_script_test(e2e_sudo_approval
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_sudo_approval.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iam_approval> $<TARGET_FILE:iamctl>
            ${PROJECT_SOURCE_DIR}/packaging ${CMAKE_BINARY_DIR}/packaging/iam-sudo-conf
            ${IAM_SUDO_PLUGIN_DIR}/iam_approval.so
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_sudo_approval PROPERTIES SKIP_RETURN_CODE 77)
  # Roles with the real su and sudo: assuming, acting as the role, MaxSessionDuration.
  iam_add_script_test(e2e_roles
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_roles.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iam_approval> $<TARGET_FILE:iamctl>
            ${PROJECT_SOURCE_DIR}/packaging ${CMAKE_BINARY_DIR}/packaging/iam-sudo-conf
            ${IAM_SUDO_PLUGIN_DIR}/iam_approval.so
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_roles PROPERTIES SKIP_RETURN_CODE 77)
endif()

# Fuzzers: the plugin's parser of sudo's arrays, and the login-session record's parser.
if(IAM_FUZZ)
  iam_add_fuzz(fuzz_sudo_args SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_sudo_args.c
               ${PROJECT_SOURCE_DIR}/sudo_iam/parse.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/sudo_args)
  target_include_directories(fuzz_sudo_args PRIVATE ${PROJECT_SOURCE_DIR}/sudo_iam)
  iam_add_fuzz(fuzz_login_session SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_login_session.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/login_session)
endif()

# The plugin's added latency per sudo (cmake --build build --target run_bench_sudo; root).
if(IAM_BENCH)
  # The baseline: an approval plugin that approves everything and does nothing else.
  add_library(sudo_nop MODULE ${CMAKE_CURRENT_SOURCE_DIR}/bench/sudo_nop.c)
  set_target_properties(sudo_nop PROPERTIES PREFIX "")
  target_include_directories(sudo_nop PRIVATE ${SUDO_PLUGIN_INCLUDE_DIR})
  add_custom_target(run_bench_sudo
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_sudo.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iam_approval> $<TARGET_FILE:iamctl>
            ${PROJECT_SOURCE_DIR}/packaging ${CMAKE_BINARY_DIR}/packaging/iam-sudo-conf
            ${IAM_SUDO_PLUGIN_DIR}/iam_approval.so $<TARGET_FILE:sudo_nop>
    DEPENDS pam_iam nss_iam iam_approval iamctl sudo_nop USES_TERMINAL)
endif()
