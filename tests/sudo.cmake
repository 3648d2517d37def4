# Tests for sudo decided per command: the login-session record (common/login_session.c), the
# approval plugin (sudo_iam/iam_approval.so) with the real sudo, its fuzzer and benchmark.
if(IAM_TESTS)
  iam_add_test(test_login_session SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_login_session.c
               LABELS unit)
endif()
