# Tests for the nss area: the cache writer and reader, libnss_iam.so.2 through
# dlopen, nss_wrapper and real glibc, an e2e run in a private mount namespace, a thread
# hammer, valgrind, the fuzz target and the benchmark.

add_executable(mknsscache ${CMAKE_CURRENT_SOURCE_DIR}/helpers/mknsscache.c)
target_link_libraries(mknsscache PRIVATE iamcore)
# Everything a cache answers, as text (the refresh test compares a patched cache with a
# whole compile through it).
add_executable(nsscachedump ${CMAKE_CURRENT_SOURCE_DIR}/helpers/nsscachedump.c)
target_link_libraries(nsscachedump PRIVATE iamcache_reader)
target_include_directories(nsscachedump PRIVATE ${PROJECT_SOURCE_DIR}/common
                           ${PROJECT_SOURCE_DIR}/common/nss_cache/include)

set(IAM_NSS_TEST_INCLUDES ${PROJECT_SOURCE_DIR}/common ${PROJECT_SOURCE_DIR}/common/nss_cache/include
    ${CMAKE_CURRENT_SOURCE_DIR}/module)

if(IAM_TESTS)
  # Writer and reader, linked directly (the reader as the module links it), and the module's
  # packing code (forged member lengths).
  iam_add_test(test_nss_cache
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/module/test_nss_cache.c ${PROJECT_SOURCE_DIR}/nss_iam/pack.c
    LIBS iamcache_reader
    LABELS unit)
  target_include_directories(test_nss_cache PRIVATE ${IAM_NSS_TEST_INCLUDES}
                             ${PROJECT_SOURCE_DIR}/nss_iam)
endif()

if(IAM_TESTS)
  # The patch of a cache (a refresh's way) against whole builds of the same entries.
  iam_add_script_test(nss_cache_patch
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/module/test_nss_patch.sh $<TARGET_FILE:mknsscache>
            $<TARGET_FILE:nsscachedump>
    LABELS unit TIMEOUT 300)
endif()

if(IAM_TESTS)
  # The module through dlopen: every entry point, buffer sizes from 1 byte up.
  iam_add_test(test_nss_iam
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/module/test_nss_iam.c
    LIBS ${CMAKE_DL_LIBS}
    LABELS module)
  target_include_directories(test_nss_iam PRIVATE ${IAM_NSS_TEST_INCLUDES})
  target_compile_definitions(test_nss_iam PRIVATE NSS_IAM_SO="$<TARGET_FILE:nss_iam>")
  add_dependencies(test_nss_iam nss_iam)
endif()

if(IAM_TESTS)
  set(_nss_sh ${CMAKE_CURRENT_SOURCE_DIR}/module)
  iam_add_script_test(test_nss_exports
    COMMAND ${_nss_sh}/test_nss_exports.sh $<TARGET_FILE:nss_iam>
            ${PROJECT_SOURCE_DIR}/nss_iam/nss_iam.map
    LABELS module TIMEOUT 60)
  iam_add_script_test(test_nss_getent
    COMMAND ${_nss_sh}/test_nss_getent.sh $<TARGET_FILE:nss_iam> $<TARGET_FILE:mknsscache>
    LABELS module TIMEOUT 120)
  iam_add_script_test(test_nss_wrapper
    COMMAND ${_nss_sh}/test_nss_wrapper.sh $<TARGET_FILE:nss_iam> $<TARGET_FILE:mknsscache>
    LABELS module TIMEOUT 120)
endif()

if(IAM_TESTS)
  find_package(Threads REQUIRED)
  # 8 threads looking up while the cache is recompiled 100 times.
  iam_add_test(test_nss_hammer
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/module/test_nss_hammer.c
    LIBS ${CMAKE_DL_LIBS} Threads::Threads
    LABELS module TIMEOUT 300)
  target_compile_definitions(test_nss_hammer PRIVATE NSS_IAM_SO="$<TARGET_FILE:nss_iam>")
  add_dependencies(test_nss_hammer nss_iam)
endif()

if(IAM_TESTS)
  add_executable(nss_lookup_loop ${CMAKE_CURRENT_SOURCE_DIR}/module/nss_lookup_loop.c)
  target_link_libraries(nss_lookup_loop PRIVATE ${CMAKE_DL_LIBS})
  # valgrind cannot run a sanitizer build; the plain build runs it.
  if(NOT IAM_SANITIZE)
    # The issue's 1,000,000 lookups: about 15 s under valgrind on this machine.
    set(IAM_NSS_VALGRIND_COUNT 1000000 CACHE STRING "Lookups in test_nss_valgrind")
    # No system call per lookup: one open, at most one lstat a second.
    iam_add_script_test(test_nss_syscalls
      COMMAND ${_nss_sh}/test_nss_syscalls.sh $<TARGET_FILE:nss_iam> $<TARGET_FILE:mknsscache>
              $<TARGET_FILE:nss_lookup_loop>
      LABELS module TIMEOUT 300)
    set_tests_properties(test_nss_syscalls PROPERTIES SKIP_RETURN_CODE 77)
    iam_add_script_test(test_nss_valgrind
      COMMAND ${_nss_sh}/test_nss_valgrind.sh $<TARGET_FILE:nss_iam> $<TARGET_FILE:mknsscache>
              $<TARGET_FILE:nss_lookup_loop> ${IAM_NSS_VALGRIND_COUNT}
      LABELS module TIMEOUT 900)
  endif()
endif()

if(IAM_TESTS AND IAM_E2E)
  # Real glibc, module installed in the system library path, nsswitch.conf as the package
  # edits it; inside a private mount namespace (root), host verified untouched.
  iam_add_script_test(test_nss_e2e
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_nss_e2e.sh $<TARGET_FILE:nss_iam>
            $<TARGET_FILE:mknsscache> ${IAM_STATEDIR}/nss.cache
    LABELS e2e TIMEOUT 300)
  set_tests_properties(test_nss_e2e PROPERTIES SKIP_RETURN_CODE 77)
endif()

if(IAM_FUZZ)
  # The reader plus the module's packing code; the reader's source is compiled into the target
  # (not the object library) so it gets the fuzzer's coverage instrumentation.
  iam_add_fuzz(fuzz_nss_cache NO_CORE
               SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_nss_cache.c
                       ${PROJECT_SOURCE_DIR}/nss_iam/pack.c
                       ${PROJECT_SOURCE_DIR}/common/nss_cache/read.c
                       ${PROJECT_SOURCE_DIR}/common/cache_dir/cache_dir.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/nss_cache TIME 20 ARGS -max_len=65536)
  target_include_directories(fuzz_nss_cache PRIVATE ${IAM_NSS_TEST_INCLUDES}
                             ${PROJECT_SOURCE_DIR}/nss_iam ${IAM_CORE_PUBLIC_INCLUDE})
endif()

if(IAM_BENCH)
  # Benchmark (not a timed test): tests/bench/bench_nss.sh prints the table. Run as root:
  #   tests/bench/bench_nss.sh build/tests/bench_nss build/nss_iam/libnss_iam.so.2 \
  #     build/tests/libnss_iamnop.so.2 build/tests/mknsscache /var/lib/iam/nss.cache
  add_executable(bench_nss ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_nss.c)
  target_link_libraries(bench_nss PRIVATE ${CMAKE_DL_LIBS})
  add_library(nss_iamnop SHARED ${CMAKE_CURRENT_SOURCE_DIR}/bench/nss_nop.c)
  set_target_properties(nss_iamnop PROPERTIES PREFIX "lib" OUTPUT_NAME "nss_iamnop" SUFFIX ".so.2"
                                              NO_SONAME ON)
  target_link_options(nss_iamnop PRIVATE ${IAM_MODULE_LINK_FLAGS} -Wl,-soname,libnss_iamnop.so.2)
  add_dependencies(bench_nss nss_iam nss_iamnop mknsscache)
endif()
