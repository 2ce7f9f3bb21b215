# Writes OUTPUT, a C++ source holding every projections/profiles/*.json file of PROFILES_DIR as a string, and the
# frozen format-1 copies of PROFILES_DIR/v1/*.json (projections/profile.cpp reads them). Run at build time:
# cmake -DPROFILES_DIR=... -DOUTPUT=... -P embed_profiles.cmake

# Sets ${out_body} to the array rows of the *.json files of `dir`, ${out_count} to their number.
function(embed_dir dir out_body out_count)
  file(GLOB files "${dir}/*.json")
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
    message(FATAL_ERROR "no profile files in ${dir}")
  endif()
  set(${out_body} "${body}" PARENT_SCOPE)
  set(${out_count} ${count} PARENT_SCOPE)
endfunction()
embed_dir("${PROFILES_DIR}" body count)
embed_dir("${PROFILES_DIR}/v1" v1_body v1_count)
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
extern const ProfileFile kFrozenV1Files[] = {
${v1_body}};
extern const std::size_t kFrozenV1FileCount = ${v1_count};
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
