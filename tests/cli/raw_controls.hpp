// Test support for cli/display.hpp: finds what a terminal would act on in a program's output.
#pragma once

#include <string_view>

#include "ledger/act.hpp"

namespace antq::test {

// Whether `text` holds, raw, a C0 control other than those in `allowed` (e.g. "\n" for line ends), DEL, a C1
// control, a bidirectional formatting character, a zero-width or other invisible format character of U+200B-U+200F
// and U+2060-U+206F, U+2028, U+2029, or a byte that is not valid UTF-8.
inline bool holds_raw_control(std::string_view text, std::string_view allowed = "") {
  if (!ledger::nfc(text)) return true;  // not valid UTF-8 (or a NUL)
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
    if ((c < 0x20 && allowed.find(static_cast<char>(c)) == std::string_view::npos) || c == 0x7f) return true;
    if (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) return true;  // U+0080-U+009F
    if (c == 0xc2 && next(1) == 0xad) return true;                     // U+00AD
    if (c == 0xd8 && next(1) == 0x9c) return true;                     // U+061C
    if (c == 0xe2 && next(1) == 0x80 &&
        ((next(2) >= 0x8b && next(2) <= 0x8f) ||  // U+200B-U+200F
         (next(2) >= 0xa8 && next(2) <= 0xae)))   // U+2028-U+202E
      return true;
    if (c == 0xe2 && next(1) == 0x81 && next(2) >= 0xa0 && next(2) <= 0xaf) return true;  // U+2060-U+206F
    if (c == 0xef && next(1) == 0xbb && next(2) == 0xbf) return true;                     // U+FEFF
  }
  return false;
}

}  // namespace antq::test
