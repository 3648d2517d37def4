# Hardening: stack protector, FORTIFY (needs optimisation), RELRO + now, no undefined symbols
# in shared objects. Sanitizer builds keep everything but FORTIFY, which ASan replaces.
add_compile_options(-fstack-protector-strong -fstack-clash-protection -fno-strict-aliasing)
check_c_compiler_flag(-fcf-protection HAVE_FCF_PROTECTION)
if(HAVE_FCF_PROTECTION)
  add_compile_options(-fcf-protection)
endif()
add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

if(IAM_SANITIZE)
  add_compile_options(-fsanitize=${IAM_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${IAM_SANITIZE})
  # Keep leak stacks symbolised after dlclose (docs/testing.md, "Real programs without
  # touching the host", on sanitizers).
  add_link_options(-Wl,-z,nodelete)
else()
  add_compile_options($<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE>
                      $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
endif()

# Shared objects must resolve every symbol at link time.
set(IAM_MODULE_LINK_FLAGS -Wl,-z,defs)
