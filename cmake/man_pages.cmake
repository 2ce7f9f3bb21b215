# The manual pages of antq, made from its --help by GNU help2man: antq(1), and antq-COMMAND(1) for every command
# `antq --help` lists (man antq-verify). Run by the build (CMakeLists.txt, target antq_man) after antq is linked:
#   cmake -DANTQ=build/antq -DHELP2MAN=/usr/bin/help2man -DVERSION=0.23.0 -DOUTPUT_DIR=build/man -DSOURCE_DIR=. -P ...
# The pages are in English (LANGUAGE=en), gzip -9n (Debian's policy), dated by the commit built when there is one
# (SOURCE_DATE_EPOCH, which help2man honours), so the same tree makes the same pages.
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

# The commands and their one-line descriptions, as antq --help lists them under "Subcommands:".
execute_process(COMMAND ${ANTQ} --help OUTPUT_VARIABLE help RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "man_pages.cmake: ${ANTQ} --help failed")
endif()
string(REGEX REPLACE ".*\nSubcommands:\n" "" listing "${help}")
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
list(LENGTH commands count)
if(count LESS 10)
  message(FATAL_ERROR "man_pages.cmake: found only ${count} commands in antq --help")
endif()

function(page program name description include)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --version-string=${VERSION}
            "--name=${description}" "--source=antq-ledger ${VERSION}" "--manual=antq-ledger" --include=${include}
            --output=${OUTPUT_DIR}/man1/${name}.1 ${program}
    RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "man_pages.cmake: help2man failed for ${name}")
  endif()
  execute_process(COMMAND gzip -9nf ${OUTPUT_DIR}/man1/${name}.1 RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "man_pages.cmake: gzip failed for ${name}.1")
  endif()
endfunction()

# antq(1): the program, with every command's page named.
string(REGEX REPLACE ",\n$" "\n" see_also "${see_also}")
file(WRITE ${OUTPUT_DIR}/antq.h2m "[SEE ALSO]\nOne page per command:\n.PP\n${see_also}")
page(${ANTQ} antq "the signed, append-only record of models and exemplars" ${OUTPUT_DIR}/antq.h2m)

# antq-COMMAND(1): help2man names a page after the program it runs, so each command gets a small program that runs
# `antq COMMAND`.
file(WRITE ${OUTPUT_DIR}/command.h2m "[SEE ALSO]\n.BR antq (1)\n")
foreach(command IN LISTS commands)
  set(wrapper ${OUTPUT_DIR}/bin/antq-${command})
  file(WRITE ${wrapper} "#!/bin/sh\nexec '${ANTQ}' ${command} \"$@\"\n")
  file(CHMOD ${wrapper} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  page(${wrapper} antq-${command} "${description_${command}}" ${OUTPUT_DIR}/command.h2m)
endforeach()
file(REMOVE_RECURSE ${OUTPUT_DIR}/bin)
file(REMOVE ${OUTPUT_DIR}/antq.h2m ${OUTPUT_DIR}/command.h2m)
