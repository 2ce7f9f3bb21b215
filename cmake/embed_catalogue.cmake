# Writes OUTPUT, a C++ source holding the bytes of MO (a message catalogue compiled by msgfmt from po/*.po) as the
# array SYMBOL of namespace antq::i18n::generated, for i18n/i18n.cpp. Run at build time:
# cmake -DMO=... -DSYMBOL=... -DOUTPUT=... -P embed_catalogue.cmake
file(READ "${MO}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){24})" "\\1\n" bytes "${bytes}")
set(source "// Generated from ${MO} by cmake/embed_catalogue.cmake. Do not edit.
#include <cstddef>

namespace antq::i18n::generated {
extern const unsigned char ${SYMBOL}[] = {
${bytes}};
extern const std::size_t ${SYMBOL}Size = ${size};
}  // namespace antq::i18n::generated
")
file(WRITE "${OUTPUT}.new" "${source}")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
