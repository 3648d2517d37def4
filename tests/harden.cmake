# Hardening (issue 7): fuzz targets, hostile-input tests, races, valgrind runs over the real
# modules, timing benchmark. Each piece is registered only when the code it exercises exists
# in the tree, so this file builds on main at any point of the merge order.

set(IAM_HARDEN_DIR ${CMAKE_CURRENT_SOURCE_DIR})

# ---- Fuzz targets (IAM_FUZZ=ON, clang, ASan+UBSan) -------------------------------------------
if(IAM_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IAM_FUZZ=ON needs clang (libFuzzer)")
  endif()
  set(_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
  # The core built with coverage instrumentation. tests/policy.cmake defines the same target
  # for fuzz_policy; define it here only when that file has not.
  if(NOT TARGET iamcore_fuzz)
    file(GLOB _hfuzz_core_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/common/*.c)
    list(FILTER _hfuzz_core_sources EXCLUDE REGEX ".*/nss_cache_read\\.c$")
    add_library(iamcore_fuzz STATIC ${_hfuzz_core_sources})
    target_include_directories(iamcore_fuzz PUBLIC ${PROJECT_SOURCE_DIR}/common/include
                                            PRIVATE ${PROJECT_SOURCE_DIR}/common)
    target_compile_options(iamcore_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_libraries(iamcore_fuzz PUBLIC PkgConfig::SODIUM PkgConfig::JANSSON m)
  endif()

  # iam_harden_fuzz(NAME SOURCE CORPUS [LIBS ...] [ARGS ...]): the executable, and a CTest
  # test (label fuzz) that runs it ~15 s over a scratch copy of the committed seed corpus, so
  # new inputs stay out of the tree. Crashes land in the build dir (artifact_prefix).
  function(iam_harden_fuzz name)
    cmake_parse_arguments(F "" "SOURCE;CORPUS" "LIBS;ARGS" ${ARGN})
    add_executable(${name} ${F_SOURCE})
    target_compile_options(${name} PRIVATE ${_fuzz_flags})
    target_link_options(${name} PRIVATE ${_fuzz_flags})
    target_link_libraries(${name} PRIVATE ${F_LIBS} iamcore_fuzz)
    set(_work ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
    string(JOIN " " _args ${F_ARGS})
    iam_add_script_test(${name}
      COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && cp \"$2\"/* \"$1\"/ && exec \"$0\" -max_total_time=15 -timeout=10 -rss_limit_mb=2048 -artifact_prefix=\"$3/${name}-\" ${_args} \"$1\""
              $<TARGET_FILE:${name}> ${_work} ${F_CORPUS} ${CMAKE_CURRENT_BINARY_DIR}
      LABELS fuzz TIMEOUT 120)
  endfunction()

  if(EXISTS ${PROJECT_SOURCE_DIR}/common/config.c)
    iam_harden_fuzz(fuzz_config SOURCE ${IAM_HARDEN_DIR}/fuzz/fuzz_config.c
                    CORPUS ${IAM_HARDEN_DIR}/fuzz/config ARGS -max_len=16384)
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/common/db.c)
    iam_harden_fuzz(fuzz_db SOURCE ${IAM_HARDEN_DIR}/fuzz/fuzz_db.c
                    CORPUS ${IAM_HARDEN_DIR}/fuzz/db ARGS -max_len=65536)
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/common/auth_cache_read.c)
    iam_harden_fuzz(fuzz_auth_cache SOURCE ${IAM_HARDEN_DIR}/fuzz/fuzz_auth_cache.c
                    CORPUS ${IAM_HARDEN_DIR}/fuzz/auth_cache ARGS -max_len=65536)
    # Regenerates the seeds from the real writer (not a test): gen_auth_cache_seeds DIR.
    add_executable(gen_auth_cache_seeds ${IAM_HARDEN_DIR}/fuzz/gen_auth_cache_seeds.c)
    target_link_libraries(gen_auth_cache_seeds PRIVATE iamcore)
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/iamctl/simulate.c)
    # The iamctl sources, instrumented, with main() renamed so libFuzzer's main is the one.
    file(GLOB _hfuzz_iamctl_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/iamctl/*.c)
    add_library(iamctl_fuzz STATIC ${_hfuzz_iamctl_sources})
    target_compile_definitions(iamctl_fuzz PRIVATE main=iamctl_main_not_in_fuzz)
    target_compile_options(iamctl_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                                               -Wno-missing-prototypes)
    target_include_directories(iamctl_fuzz PUBLIC ${PROJECT_SOURCE_DIR}/iamctl)
    target_link_libraries(iamctl_fuzz PUBLIC iamcore_fuzz)
    iam_harden_fuzz(fuzz_simulate_request SOURCE ${IAM_HARDEN_DIR}/fuzz/fuzz_simulate_request.c
                    CORPUS ${IAM_HARDEN_DIR}/fuzz/simulate_request LIBS iamctl_fuzz
                    ARGS -max_len=16384 -close_fd_mask=3)
  endif()
endif()
