# Hardening: fuzz targets, hostile-input tests, races, valgrind runs over the real
# modules, timing benchmark. Uses the fixtures of pam.cmake and nss.cmake (included before).

set(IAM_HARDEN_DIR ${CMAKE_CURRENT_SOURCE_DIR})

# ---- Fuzz targets (IAM_FUZZ=ON, clang, ASan+UBSan) -------------------------------------------
if(IAM_FUZZ)
  iam_add_fuzz(fuzz_config SOURCES ${IAM_HARDEN_DIR}/fuzz/fuzz_config.c
               CORPUS ${IAM_HARDEN_DIR}/fuzz/config ARGS -max_len=16384)
  iam_add_fuzz(fuzz_db SOURCES ${IAM_HARDEN_DIR}/fuzz/fuzz_db.c
               CORPUS ${IAM_HARDEN_DIR}/fuzz/db ARGS -max_len=65536)
  iam_add_fuzz(fuzz_auth_cache SOURCES ${IAM_HARDEN_DIR}/fuzz/fuzz_auth_cache.c
               CORPUS ${IAM_HARDEN_DIR}/fuzz/auth_cache ARGS -max_len=65536)
  # Regenerates the seeds from the real writer (not a test): gen_auth_cache_seeds DIR.
  add_executable(gen_auth_cache_seeds ${IAM_HARDEN_DIR}/fuzz/gen_auth_cache_seeds.c)
  target_link_libraries(gen_auth_cache_seeds PRIVATE iamcore)
  # iamctl's libraries (the trail, the store and the bundles), then the iamctl sources, all instrumented
  # and linked with the instrumented core, with main() renamed so libFuzzer's main is the one.
  add_library(iamtrail_fuzz STATIC ${IAM_TRAIL_SOURCES})
  target_link_libraries(iamtrail_fuzz PUBLIC iamcore_fuzz PkgConfig::ZLIB)
  add_library(iamstore_fuzz STATIC ${IAM_STORE_SOURCES})
  target_link_libraries(iamstore_fuzz PUBLIC iamcore_fuzz SQLite::SQLite3 Threads::Threads)
  target_include_directories(iamstore_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/common/ssh_keys/include)
  add_library(iambundle_fuzz STATIC ${IAM_BUNDLE_SOURCES})
  target_link_libraries(iambundle_fuzz PUBLIC iamcore_fuzz PkgConfig::ZLIB)
  add_library(iamldap_fuzz STATIC ${IAM_LDAP_SOURCES})
  target_link_libraries(iamldap_fuzz PUBLIC iamcore_fuzz ${CMAKE_DL_LIBS})
  foreach(_lib iamtrail_fuzz iamstore_fuzz iambundle_fuzz iamldap_fuzz)
    target_include_directories(${_lib} PRIVATE ${IAM_CORE_PRIVATE_INCLUDE})
    target_compile_options(${_lib} PRIVATE ${IAM_FUZZ_LIB_FLAGS})
  endforeach()
  add_library(iamctl_fuzz STATIC ${IAMCTL_SOURCES})
  target_compile_definitions(iamctl_fuzz PRIVATE main=iamctl_main_not_in_fuzz)
  target_compile_options(iamctl_fuzz PRIVATE ${IAM_FUZZ_LIB_FLAGS} -Wno-missing-prototypes)
  target_include_directories(iamctl_fuzz PUBLIC ${PROJECT_SOURCE_DIR}/iamctl)
  target_link_libraries(iamctl_fuzz PUBLIC iamstore_fuzz iamtrail_fuzz iambundle_fuzz iamldap_fuzz
                                           iamcore_fuzz)
  iam_add_fuzz(fuzz_simulate_request SOURCES ${IAM_HARDEN_DIR}/fuzz/fuzz_simulate_request.c
               CORPUS ${IAM_HARDEN_DIR}/fuzz/simulate_request LIBS iamctl_fuzz
               ARGS -max_len=16384 -close_fd_mask=3)
endif()

# ---- Hostile input (tests/hostile) --------------------------------------------------------------
if(IAM_TESTS)
  # Database, iam.conf and auth cache as hostile files, through iamctl and pam_iam (root).
  if(NOT IAM_SANITIZE)
    iam_add_script_test(test_hostile_files
      COMMAND ${IAM_HARDEN_DIR}/hostile/test_hostile_files.sh $<TARGET_FILE:iamctl>
              $<TARGET_FILE:pamfx_tool> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY}
      LABELS module TIMEOUT 1500)
    set_tests_properties(test_hostile_files PROPERTIES SKIP_RETURN_CODE 77)
  endif()
  # Bugs found by this work and fixed since by their owners: they must stay fixed.
  iam_add_script_test(test_hostile_regressions
    COMMAND ${IAM_HARDEN_DIR}/hostile/test_hostile_regressions.sh $<TARGET_FILE:iamctl>
    LABELS unit TIMEOUT 120)
endif()

# Hostile PAM items, conversations and key shapes against pam_iam.so under pam_wrapper.
if(IAM_TESTS)
  set(_hp_dir ${CMAKE_CURRENT_BINARY_DIR}/hostile_pam_fixture)
  set(_hp_svc ${CMAKE_CURRENT_BINARY_DIR}/hostile_pam_services)
  foreach(svc iam sshd)
    file(GENERATE OUTPUT ${_hp_svc}/${svc} CONTENT
"auth     required $<TARGET_FILE:pam_iam> config=${_hp_dir}/iam.conf
account  required $<TARGET_FILE:pam_iam> config=${_hp_dir}/iam.conf
session  required $<TARGET_FILE:pam_iam> config=${_hp_dir}/iam.conf
password required pam_deny.so
")
  endforeach()
  file(GENERATE OUTPUT ${_hp_svc}/other CONTENT
"auth     required pam_deny.so
account  required pam_deny.so
password required pam_deny.so
session  required pam_deny.so
")
  iam_add_test(test_hostile_pam SOURCES ${IAM_HARDEN_DIR}/hostile/test_hostile_pam.c
               LIBS pamfx PkgConfig::JANSSON ${PAM_LIBRARY} LABELS module
               ENV "LD_PRELOAD=${PAM_TEST_PRELOAD}" "PAM_WRAPPER=1"
                   "PAM_WRAPPER_SERVICE_DIR=${_hp_svc}" "PAM_WRAPPER_DISABLE_DEEPBIND=1"
                   "HOSTILE_PAM_DIR=${_hp_dir}")
  add_dependencies(test_hostile_pam pam_iam)
endif()

# ---- Races (tests/races) ---------------------------------------------------------------------------
if(IAM_TESTS AND NOT IAM_SANITIZE)
  add_executable(race_recompile ${IAM_HARDEN_DIR}/races/race_recompile.c)
  target_link_libraries(race_recompile PRIVATE iamcore)
  iam_add_script_test(test_races
    COMMAND ${IAM_HARDEN_DIR}/races/test_races.sh $<TARGET_FILE:iamctl> $<TARGET_FILE:pamfx_tool>
            $<TARGET_FILE:race_recompile> $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY} 10 100
    LABELS module TIMEOUT 900)
  set_tests_properties(test_races PROPERTIES SKIP_RETURN_CODE 77)
endif()

# ---- Timing benchmark (not a timed test): make run_bench_timing -----------------------------
if(IAM_BENCH)
  set(_bt_svc ${CMAKE_CURRENT_BINARY_DIR}/bench_timing_services)
  set(_bt_dir ${CMAKE_CURRENT_BINARY_DIR}/bench_timing_fixture)
  file(GENERATE OUTPUT ${_bt_svc}/iam CONTENT
"auth     required $<TARGET_FILE:pam_iam> config=${_bt_dir}/iam.conf
")
  file(GENERATE OUTPUT ${_bt_svc}/other CONTENT "auth required pam_deny.so
")
  add_executable(bench_timing ${IAM_HARDEN_DIR}/bench/bench_timing.c ${IAM_HARDEN_DIR}/bench/bench_stats.c)
  target_link_libraries(bench_timing PRIVATE pamfx ${PAM_LIBRARY} m)
  add_dependencies(bench_timing pam_iam)
  add_custom_target(run_bench_timing
    COMMAND $<TARGET_FILE:bench_timing> ${_bt_svc} ${_bt_dir} 2000 20
    DEPENDS bench_timing pam_iam USES_TERMINAL)
endif()

# ---- valgrind memcheck over the real flows (tests/memcheck) -----------------------------------
# valgrind cannot run a sanitizer build; the plain build runs it.
if(IAM_TESTS AND NOT IAM_SANITIZE)
  find_library(NSS_WRAPPER_LIBRARY NAMES nss_wrapper libnss_wrapper.so REQUIRED)
  iam_add_script_test(test_memcheck_flows
    COMMAND ${IAM_HARDEN_DIR}/memcheck/test_memcheck_flows.sh $<TARGET_FILE:iamctl>
            $<TARGET_FILE:mknsscache> $<TARGET_FILE:nss_iam> $<TARGET_FILE:pamfx_tool>
            $<TARGET_FILE:pam_iam> ${PAM_WRAPPER_LIBRARY} ${NSS_WRAPPER_LIBRARY}
    LABELS module TIMEOUT 900)
  set_tests_properties(test_memcheck_flows PROPERTIES SKIP_RETURN_CODE 77)
endif()

# The NSS cache truncated, overwritten or replaced under a reader that has it mapped.
if(IAM_TESTS)
  add_executable(test_hostile_nss_mapped ${IAM_HARDEN_DIR}/hostile/test_hostile_nss_mapped.c)
  target_link_libraries(test_hostile_nss_mapped PRIVATE ${CMAKE_DL_LIBS})
  add_dependencies(test_hostile_nss_mapped nss_iam mknsscache)
  # (libnss_iam.so.2 died of SIGBUS on the truncations until aa713e8: the reader no longer
  # maps the file.)
  add_test(NAME test_hostile_nss_mapped
           COMMAND test_hostile_nss_mapped $<TARGET_FILE:nss_iam> $<TARGET_FILE:mknsscache> all)
  set_tests_properties(test_hostile_nss_mapped PROPERTIES LABELS module TIMEOUT 400)
endif()

# Writers given hostile paths. (iam_auth_cache_write("") overflowed a heap buffer by one byte
# in its own copy of the atomic writer, shown under ASan; both cache writers now use
# iam_file_write_atomic().)
if(IAM_TESTS)
  iam_add_test(test_hostile_writers SOURCES ${IAM_HARDEN_DIR}/hostile/test_hostile_writers.c
               LABELS unit)
endif()
