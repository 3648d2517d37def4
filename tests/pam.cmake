# Tests for the pam area: auth cache, audit, pam_iam.so.
foreach(t auth_cache audit)
  iam_add_test(test_${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_${t}.c
               LIBS PkgConfig::JANSSON LABELS unit)
endforeach()
# the version 1 cache the previous writer made, kept among the fuzzer's seeds
target_compile_definitions(test_auth_cache PRIVATE
  IAM_TEST_AUTH_SEEDS="${CMAKE_CURRENT_SOURCE_DIR}/fuzz/auth_cache")
# the layout (a patch's room is damaged on purpose)
target_include_directories(test_auth_cache PRIVATE ${PROJECT_SOURCE_DIR}/common)

find_package(pamtest REQUIRED)
find_library(PAM_WRAPPER_LIBRARY NAMES pam_wrapper libpam_wrapper.so REQUIRED)

# pam_wrapper services: one file per scenario, naming the module by absolute path.
set(PAMFX_DIR ${CMAKE_CURRENT_BINARY_DIR}/pam_fixture)
set(PAM_SERVICE_DIR ${CMAKE_CURRENT_BINARY_DIR}/pam_services)
set(_m "$<TARGET_FILE:pam_iam>")
function(iam_pam_service name args)
  file(GENERATE OUTPUT ${PAM_SERVICE_DIR}/${name} CONTENT
"auth     required ${_m} ${args}
account  required ${_m} ${args}
session  required ${_m} ${args}
password required pam_deny.so
")
endfunction()
iam_pam_service(iam "config=${PAMFX_DIR}/iam.conf")
iam_pam_service(sshd "config=${PAMFX_DIR}/iam.conf")
iam_pam_service(iam_sudo "config=${PAMFX_DIR}/iam.conf action=host:Sudo")
iam_pam_service(iam_keys_only "config=${PAMFX_DIR}/iam.conf allow=accesskey")
iam_pam_service(iam_password_only "config=${PAMFX_DIR}/iam.conf allow=password")
iam_pam_service(iam_bad_action "config=${PAMFX_DIR}/iam.conf action=host:*")
iam_pam_service(iam_bad_allow "config=${PAMFX_DIR}/iam.conf allow=accesskey,passwd")
iam_pam_service(iam_bad_config "config=relative/iam.conf")
iam_pam_service(iam_unknown_arg "config=${PAMFX_DIR}/iam.conf frobnicate=yes")
iam_pam_service(iam_permissive "config=${PAMFX_DIR}/permissive.conf")
iam_pam_service(iam_missing "config=${PAMFX_DIR}/missing.conf")
iam_pam_service(iam_corrupt "config=${PAMFX_DIR}/corrupt.conf")
iam_pam_service(iam_first_pass_only "config=${PAMFX_DIR}/iam.conf use_first_pass")
file(GENERATE OUTPUT ${PAM_SERVICE_DIR}/iam_first_pass CONTENT
"auth     requisite ${_m} config=${PAMFX_DIR}/iam.conf
auth     required ${_m} config=${PAMFX_DIR}/iam.conf use_first_pass
")
file(GENERATE OUTPUT ${PAM_SERVICE_DIR}/other CONTENT
"auth     required pam_deny.so
account  required pam_deny.so
password required pam_deny.so
session  required pam_deny.so
")

add_library(pamfx STATIC ${CMAKE_CURRENT_SOURCE_DIR}/module/pam_fixture.c)
target_include_directories(pamfx PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/module)
target_link_libraries(pamfx PUBLIC iamtest)

add_executable(pamfx_tool ${CMAKE_CURRENT_SOURCE_DIR}/e2e/pamfx_tool.c)
target_link_libraries(pamfx_tool PRIVATE pamfx)

# Under ASan (gcc), the runtime must be preloaded ahead of pam_wrapper (docs/testing.md).
set(PAM_TEST_PRELOAD ${PAM_WRAPPER_LIBRARY})
if(IAM_SANITIZE MATCHES "address" AND CMAKE_C_COMPILER_ID STREQUAL "GNU")
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(PAM_TEST_PRELOAD "${_asan}:${PAM_WRAPPER_LIBRARY}")
endif()
set(IAM_PAM_TEST_ENV
    "LD_PRELOAD=${PAM_TEST_PRELOAD}" "PAM_WRAPPER=1" "PAM_WRAPPER_DISABLE_DEEPBIND=1"
    "PAM_WRAPPER_SERVICE_DIR=${PAM_SERVICE_DIR}" "PAMFX_DIR=${PAMFX_DIR}")
iam_add_test(test_pam_iam SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/module/test_pam_iam.c
             LIBS pamfx pamtest::pamtest PkgConfig::JANSSON ${PAM_LIBRARY}
             LABELS module ENV ${IAM_PAM_TEST_ENV})
add_dependencies(test_pam_iam pam_iam)
target_compile_definitions(test_pam_iam PRIVATE PAM_IAM_MODULE_PATH="$<TARGET_FILE:pam_iam>")
target_link_libraries(test_pam_iam PRIVATE ${CMAKE_DL_LIBS})
target_include_directories(test_pam_iam PRIVATE ${PROJECT_SOURCE_DIR}/pam_iam)

# Benchmark (not a timed test): prints medians and ratios.
if(IAM_BENCH)
  set(PAM_BENCH_DIR ${CMAKE_CURRENT_BINARY_DIR}/pam_bench_services)
  set(PAM_BENCH_FIXTURE ${CMAKE_CURRENT_BINARY_DIR}/pam_bench_fixture)
  foreach(size small large)
    file(GENERATE OUTPUT ${PAM_BENCH_DIR}/bench_${size} CONTENT
"auth     required ${_m} config=${PAM_BENCH_FIXTURE}/${size}/iam.conf
account  required ${_m} config=${PAM_BENCH_FIXTURE}/${size}/iam.conf
")
  endforeach()
  file(GENERATE OUTPUT ${PAM_BENCH_DIR}/bench_permit CONTENT
"auth     required pam_permit.so
account  required pam_permit.so
")
  file(GENERATE OUTPUT ${PAM_BENCH_DIR}/bench_unix CONTENT
"auth     required pam_unix.so
account  required pam_unix.so
")
  file(GENERATE OUTPUT ${PAM_BENCH_DIR}/other CONTENT
"auth     required pam_deny.so
account  required pam_deny.so
")
  add_executable(bench_pam ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_pam.c ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_stats.c)
  target_link_libraries(bench_pam PRIVATE pamfx ${PAM_LIBRARY} m)
  add_dependencies(bench_pam pam_iam)
  add_custom_target(run_bench_pam
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_pam.sh $<TARGET_FILE:bench_pam>
            ${PAM_WRAPPER_LIBRARY} ${PAM_BENCH_DIR} ${PAM_BENCH_FIXTURE}
    DEPENDS bench_pam pam_iam USES_TERMINAL)
endif()

# End to end: real sshd and sudo in a private namespace (root; the host is untouched).
if(IAM_E2E)
  iam_add_script_test(e2e_pam_ssh_sudo
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_pam_ssh_sudo.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iamctl> ${PROJECT_SOURCE_DIR}/packaging
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_pam_ssh_sudo PROPERTIES SKIP_RETURN_CODE 77)
  # SSH public keys through iam-authorized-keys and the package's sshd drop-in, real sshd.
  iam_add_script_test(e2e_ssh_keys
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_ssh_keys.sh $<TARGET_FILE:pam_iam>
            $<TARGET_FILE:nss_iam> $<TARGET_FILE:iamctl> $<TARGET_FILE:iam_authorized_keys>
            ${PROJECT_SOURCE_DIR}/packaging
    LABELS e2e TIMEOUT 300)
  set_tests_properties(e2e_ssh_keys PROPERTIES SKIP_RETURN_CODE 77)
endif()

# pamtester under valgrind: zero errors on every path.
set(PAM_VG_DIR ${CMAKE_CURRENT_BINARY_DIR}/pam_vg_services)
set(PAM_VG_FIXTURE ${CMAKE_CURRENT_BINARY_DIR}/pam_vg_fixture)
foreach(pair "vg_iam|iam.conf|" "vg_sudo|iam.conf|action=host:Sudo"
             "vg_corrupt|corrupt.conf|" "vg_missing|missing.conf|"
             "vg_bad_action|iam.conf|action=host:" "vg_permissive|permissive.conf|")
  string(REPLACE "|" ";" parts "${pair}")
  list(GET parts 0 svc)
  list(GET parts 1 conf)
  list(GET parts 2 extra)
  file(GENERATE OUTPUT ${PAM_VG_DIR}/${svc} CONTENT
"auth     required ${_m} config=${PAM_VG_FIXTURE}/${conf} ${extra}
account  required ${_m} config=${PAM_VG_FIXTURE}/${conf} ${extra}
session  required ${_m} config=${PAM_VG_FIXTURE}/${conf} ${extra}
password required pam_deny.so
")
endforeach()
file(GENERATE OUTPUT ${PAM_VG_DIR}/other CONTENT
"auth     required pam_deny.so
account  required pam_deny.so
password required pam_deny.so
session  required pam_deny.so
")
# valgrind cannot run a sanitizer build; the plain build runs it.
if(NOT IAM_SANITIZE)
  iam_add_script_test(test_pam_valgrind
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/module/test_pam_valgrind.sh $<TARGET_FILE:pamfx_tool>
            ${PAM_WRAPPER_LIBRARY} ${PAM_VG_DIR} ${PAM_VG_FIXTURE}
    LABELS module TIMEOUT 600)
  set_tests_properties(test_pam_valgrind PROPERTIES SKIP_RETURN_CODE 77)
endif()
