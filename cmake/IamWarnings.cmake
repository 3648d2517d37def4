# Warnings: on, and fatal. Each flag is tested so gcc and clang both build.
set(_iam_warnings
  -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wformat-security -Wstrict-prototypes
  -Wmissing-prototypes -Wold-style-definition -Wpointer-arith -Wcast-qual
  -Wwrite-strings -Wundef -Wvla -Wimplicit-fallthrough -Wnull-dereference
  -Wno-missing-field-initializers)
foreach(flag IN LISTS _iam_warnings)
  string(MAKE_C_IDENTIFIER "HAVE${flag}" _var)
  check_c_compiler_flag(${flag} ${_var})
  if(${_var})
    add_compile_options(${flag})
  endif()
endforeach()
