# Tests for the db area: config, safe file I/O, secrets, the identity database and iamctl.
set(IAM_DB_UNIT_TESTS test_config test_fileio test_secret)
foreach(t IN LISTS IAM_DB_UNIT_TESTS)
  iam_add_test(${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c LABELS unit)
endforeach()
