# Tests for the policy area: the engine (common/arn.c, common/policy/) and
# `iamctl simulate-custom-policy`. Unit tests are labelled `unit`; the fuzz target `fuzz`.

if(IAM_TESTS)
  set(_policy_unit_tests
    test_policy_values
    test_pattern
    test_context
    test_policy_compile
    test_policy_eval)
  foreach(t IN LISTS _policy_unit_tests)
    iam_add_test(${t} SOURCES unit/${t}.c LABELS unit)
    target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/common
                                            ${CMAKE_CURRENT_SOURCE_DIR}/unit)
  endforeach()
  find_package(Threads REQUIRED)
  target_link_libraries(test_policy_eval PRIVATE Threads::Threads)
  # iam_evaluate() allocates nothing: the process's allocator is replaced by a counting one
  # (tests/helpers/alloc_count.c), so allocations inside libc (strdup ...) count too. A
  # sanitizer build brings its own allocator; the plain build runs this test.
  if(NOT IAM_SANITIZE)
    iam_add_test(test_policy_noalloc
                 SOURCES unit/test_policy_noalloc.c helpers/alloc_count.c
                 LIBS Threads::Threads ${CMAKE_DL_LIBS} LABELS unit)
    target_include_directories(test_policy_noalloc PRIVATE ${PROJECT_SOURCE_DIR}/common
                                                   ${CMAKE_CURRENT_SOURCE_DIR}/unit
                                                   ${CMAKE_CURRENT_SOURCE_DIR}/helpers)
  endif()
endif()

if(IAM_TESTS)
  # iamctl simulate-custom-policy through the binary: request JSON and flags in, the API's JSON
  # out, errors with file:line:column and exit codes (cases under tests/policy/simulate/).
  iam_add_script_test(simulate_custom_policy_cli
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/policy/run_simulate_tests.sh $<TARGET_FILE:iamctl>
            ${CMAKE_CURRENT_SOURCE_DIR}/policy/simulate
    LABELS unit)
endif()

if(IAM_FUZZ)
  iam_add_fuzz(fuzz_policy SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_policy.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/policy TIME 20 ARGS -max_len=8192)
endif()

if(IAM_BENCH)
  # Prints figures; not registered with CTest. tests/bench/cedar/run.sh runs it next to Cedar.
  add_executable(bench_policy ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_policy.c)
  target_link_libraries(bench_policy PRIVATE iamcore)
endif()
