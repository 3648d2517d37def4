# Tests for the pam area: auth cache, audit, pam_iam.so (issue 5).
foreach(t auth_cache audit)
  iam_add_test(test_${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_${t}.c
               LIBS PkgConfig::JANSSON LABELS unit)
endforeach()
