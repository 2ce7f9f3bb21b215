# Writes OUTPUT, a C++ source holding every projections/profiles/*.json file of PROFILES_DIR as a string
# (projections/profile.cpp reads them). Run at build time: cmake -DPROFILES_DIR=... -DOUTPUT=... -P embed_profiles.cmake
file(GLOB files "${PROFILES_DIR}/*.json")
list(SORT files)
set(body "")
set(count 0)
foreach(f ${files})
  get_filename_component(id "${f}" NAME_WE)
  file(READ "${f}" text)
  string(FIND "${text}" ")antq_profile\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter )antq_profile\"")
  endif()
  string(APPEND body "    {\"${id}\", R\"antq_profile(${text})antq_profile\"},\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no profile files in ${PROFILES_DIR}")
endif()
set(source "// Generated from projections/profiles/*.json by cmake/embed_profiles.cmake. Do not edit.
#include <cstddef>
#include <string_view>

namespace antq::projections::generated {
struct ProfileFile {
  std::string_view id;
  std::string_view text;
};
extern const ProfileFile kProfileFiles[] = {
${body}};
extern const std::size_t kProfileFileCount = ${count};
}  // namespace antq::projections::generated
")
# Rewritten only when it changes, so that an unchanged profile set does not rebuild anything.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL source)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${source}")
