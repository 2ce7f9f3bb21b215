# The manual pages of antq, made from its --help by GNU help2man: antq(1), and antq-COMMAND(1) for every command
# `antq --help` lists (man antq-verify). Run by the build (CMakeLists.txt, target antq_man) after antq is linked:
#   cmake -DANTQ=build/antq -DHELP2MAN=/usr/bin/help2man -DVERSION=0.23.0 -DOUTPUT_DIR=build/man -DSOURCE_DIR=. -P ...
# The pages are in English (LANGUAGE=en) in OUTPUT_DIR/man1, and in Vietnamese in OUTPUT_DIR/vi/man1 (man -L vi, or
# under a Vietnamese locale) when a vi_VN.UTF-8 locale can be made; gzip -9n (Debian's policy), dated by the commit
# built when there is one (SOURCE_DATE_EPOCH, which help2man honours), so the same tree makes the same pages.
foreach(var ANTQ HELP2MAN VERSION OUTPUT_DIR SOURCE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_pages.cmake: -D${var}=... is missing")
  endif()
endforeach()

if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  execute_process(COMMAND git -C ${SOURCE_DIR} log -1 --format=%ct OUTPUT_VARIABLE epoch
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_failed)
  if(NOT git_failed AND epoch MATCHES "^[0-9]+$")
    set(ENV{SOURCE_DATE_EPOCH} ${epoch})
  endif()
endif()
set(ENV{LANGUAGE} en)
set(ENV{LC_ALL} C.UTF-8)

file(REMOVE_RECURSE ${OUTPUT_DIR})
file(MAKE_DIRECTORY ${OUTPUT_DIR}/man1 ${OUTPUT_DIR}/bin)

# The commands and their one-line descriptions, as `antq --help` lists them under `heading` ("Subcommands:" in
# English), in the language the environment asks for: sets `commands` and `description_<command>` in the caller.
macro(list_commands heading)
  execute_process(COMMAND ${ANTQ} --help OUTPUT_VARIABLE help RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "man_pages.cmake: ${ANTQ} --help failed")
  endif()
  string(REGEX REPLACE ".*\n${heading}\n" "" listing "${help}")
  string(REPLACE "\n" ";" lines "${listing}")
  set(see_also "")
  set(commands "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^  ([a-z][a-z-]*)  +(.+)$")
      list(APPEND commands ${CMAKE_MATCH_1})
      set(description_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
      string(APPEND see_also ".BR antq-${CMAKE_MATCH_1} (1),\n")
    endif()
  endforeach()
  string(REGEX REPLACE ",\n$" "\n" see_also "${see_also}")
  list(LENGTH commands count)
  if(count LESS 10)
    message(FATAL_ERROR "man_pages.cmake: found only ${count} commands under \"${heading}\" in antq --help")
  endif()
endmacro()

# One page: help2man over `program`, its NAME and SEE ALSO sections given by an include file (a description given with
# --name would be decoded as Latin-1 under a UTF-8 locale; an include file is read in the locale's encoding).
function(page program dir name description name_heading see_also)
  file(WRITE ${OUTPUT_DIR}/page.h2m "[${name_heading}]\n${name} \\- ${description}\n${see_also}")
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --version-string=${VERSION}
            "--source=antq-ledger ${VERSION}" "--manual=antq-ledger" --include=${OUTPUT_DIR}/page.h2m ${ARGN}
            --output=${dir}/${name}.1 ${program}
    RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "man_pages.cmake: help2man failed for ${name}")
  endif()
  execute_process(COMMAND gzip -9nf ${dir}/${name}.1 RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "man_pages.cmake: gzip failed for ${name}.1")
  endif()
endfunction()

# antq(1), naming every command's page, and antq-COMMAND(1) for each: help2man names a page after the program it runs,
# so each command gets a small program that runs `antq COMMAND`. ARGN: more help2man options (--locale).
function(pages dir heading name_heading see_also_heading one_page_each)
  list_commands("${heading}")
  page(${ANTQ} ${dir} antq "${description_program}" "${name_heading}"
       "[${see_also_heading}]\n${one_page_each}\n.PP\n${see_also}" ${ARGN})
  foreach(command IN LISTS commands)
    set(wrapper ${OUTPUT_DIR}/bin/antq-${command})
    file(WRITE ${wrapper} "#!/bin/sh\nexec '${ANTQ}' ${command} \"$@\"\n")
    file(CHMOD ${wrapper} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
    page(${wrapper} ${dir} antq-${command} "${description_${command}}" "${name_heading}"
         "[${see_also_heading}]\n.BR antq (1)\n" ${ARGN})
  endforeach()
  file(REMOVE ${OUTPUT_DIR}/page.h2m)
endfunction()

set(description_program "the signed, append-only record of models and exemplars")
pages(${OUTPUT_DIR}/man1 "Subcommands:" NAME "SEE ALSO" "One page per command:")

# In Vietnamese: help2man finds a page's parts by their headings ("Cách dùng:", "Tùy chọn:") in the language of its
# --locale, which glibc must have. A vi_VN.UTF-8 locale is made here from the locales package's sources with
# localedef, in the build tree (LOCPATH), not on the machine.
find_program(LOCALEDEF localedef)
set(locales ${OUTPUT_DIR}/locale)
file(MAKE_DIRECTORY ${locales})
if(LOCALEDEF AND EXISTS /usr/share/i18n/locales/vi_VN)
  execute_process(COMMAND ${LOCALEDEF} -i vi_VN -f UTF-8 ${locales}/vi_VN.UTF-8 RESULT_VARIABLE failed)
endif()
if(EXISTS ${locales}/vi_VN.UTF-8/LC_CTYPE)
  set(ENV{LOCPATH} ${locales})
  set(ENV{LANGUAGE} vi)
  file(MAKE_DIRECTORY ${OUTPUT_DIR}/vi/man1)
  set(description_program "sổ ghi có chữ ký số, chỉ ghi thêm, về các mô hình và điển hình tiên tiến")
  pages(${OUTPUT_DIR}/vi/man1 "Các lệnh:" "TÊN" "XEM THÊM" "Mỗi lệnh có một trang:" --locale=vi_VN.UTF-8)
else()
  message(STATUS "man_pages.cmake: no vi_VN locale can be made (apt-get install locales): English pages only")
endif()
file(REMOVE_RECURSE ${OUTPUT_DIR}/bin ${locales})
