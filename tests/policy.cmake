# Tests for the policy area: the engine (common/arn.c, glob.c, context.c, policy_*.c) and
# `iamctl simulate-custom-policy`. Unit tests are labelled `unit`; the fuzz target `fuzz`.

if(IAM_TESTS)
  set(_policy_unit_tests
    test_policy_values
    test_glob
    test_context
    test_policy_compile
    test_policy_eval)
  foreach(t IN LISTS _policy_unit_tests)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
      iam_add_test(${t} SOURCES unit/${t}.c LABELS unit)
      target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/common
                                              ${CMAKE_CURRENT_SOURCE_DIR}/unit)
    endif()
  endforeach()
  # Proves iam_evaluate() allocates nothing: malloc/calloc/realloc are wrapped and counted.
  target_link_options(test_policy_eval PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                                               -Wl,--wrap=realloc)
  find_package(Threads REQUIRED)
  target_link_libraries(test_policy_eval PRIVATE Threads::Threads)
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
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IAM_FUZZ=ON needs clang (libFuzzer)")
  endif()
  # The engine built again with coverage instrumentation, so libFuzzer sees inside it
  # (tests/harden.cmake defines the same target; whichever area file comes first does).
  if(NOT TARGET iamcore_fuzz)
    file(GLOB _fuzz_core_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/common/*.c)
    list(FILTER _fuzz_core_sources EXCLUDE REGEX ".*/nss_cache_read\\.c$")
    add_library(iamcore_fuzz STATIC ${_fuzz_core_sources})
    target_include_directories(iamcore_fuzz PUBLIC ${PROJECT_SOURCE_DIR}/common/include
                                            PRIVATE ${PROJECT_SOURCE_DIR}/common)
    target_compile_options(iamcore_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_libraries(iamcore_fuzz PUBLIC PkgConfig::SODIUM PkgConfig::JANSSON m)
  endif()

  add_executable(fuzz_policy ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_policy.c)
  target_compile_options(fuzz_policy PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_policy PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_policy PRIVATE iamcore_fuzz)
  # ~20 s over a scratch copy of the committed seed corpus (new inputs stay out of the tree).
  iam_add_script_test(fuzz_policy
    COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && cp \"$2\"/* \"$1\"/ && exec \"$0\" -max_total_time=20 -timeout=10 -rss_limit_mb=2048 -max_len=8192 \"$1\""
            $<TARGET_FILE:fuzz_policy> ${CMAKE_CURRENT_BINARY_DIR}/fuzz_policy_corpus
            ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/policy
    LABELS fuzz TIMEOUT 120)
endif()

if(IAM_BENCH)
  # Prints figures; not registered with CTest. tests/bench/cedar/run.sh runs it next to Cedar.
  add_executable(bench_policy ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_policy.c)
  target_link_libraries(bench_policy PRIVATE iamcore)
endif()
