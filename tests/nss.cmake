# Tests for the nss area (issue 4): the cache writer and reader, libnss_iam.so.2 through
# dlopen, nss_wrapper and real glibc, an e2e run in a private mount namespace, a thread
# hammer, valgrind, the fuzz target and the benchmark.

add_executable(mknsscache ${CMAKE_CURRENT_SOURCE_DIR}/helpers/mknsscache.c)
target_link_libraries(mknsscache PRIVATE iamcore)

set(IAM_NSS_TEST_INCLUDES ${PROJECT_SOURCE_DIR}/common ${CMAKE_CURRENT_SOURCE_DIR}/module)

if(IAM_TESTS)
  # Writer and reader, linked directly (the reader as the module links it).
  iam_add_test(test_nss_cache
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/module/test_nss_cache.c $<TARGET_OBJECTS:iamcache_reader>
    LABELS unit)
  target_include_directories(test_nss_cache PRIVATE ${IAM_NSS_TEST_INCLUDES})
endif()
