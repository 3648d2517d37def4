# Tests for the nss area (issue 4): the cache writer and reader, libnss_iam.so.2 through
# dlopen, nss_wrapper and real glibc, an e2e run in a private mount namespace, a thread
# hammer, valgrind, the fuzz target and the benchmark.

add_executable(mknsscache ${CMAKE_CURRENT_SOURCE_DIR}/helpers/mknsscache.c)
target_link_libraries(mknsscache PRIVATE iamcore)
