# Tests for the packaging area.

# libnss-iam's maintainer scripts on nsswitch.conf files with odd edits (DPKG_ROOT, no root).
iam_add_script_test(pkg_nsswitch_scripts
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/pkg/test_nsswitch.sh ${PROJECT_SOURCE_DIR}/packaging/debian
  LABELS unit TIMEOUT 60)

# The man pages render without warnings and document what they must.
iam_add_script_test(pkg_manpages
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/pkg/test_manpages.sh ${PROJECT_SOURCE_DIR}/packaging/man
  LABELS unit TIMEOUT 60)

# Build the .deb, install it in a private mount namespace, check it end to end,
# purge it, and check that /etc is as it was. Needs root; builds the tree again
# inside dpkg-buildpackage, so it is the slowest test of the suite.
if(IAM_E2E)
  iam_add_script_test(e2e_package
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_package.sh
    LABELS e2e TIMEOUT 1200)
  set_tests_properties(e2e_package PROPERTIES RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
endif()
