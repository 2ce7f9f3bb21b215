// cli/display.cpp: text from outside shown so that it cannot act on a terminal, and padded by the columns it takes.
#include "cli/display.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

#include "raw_controls.hpp"

namespace antq::cli {
namespace {

using namespace std::string_literals;

TEST_CASE("Vietnamese text prints unchanged, in NFC and in NFD with its combining marks", "[display]") {
  const std::string nfc = "Tổ dân cư tự quản về ANTT, xã Lạc Thịnh — Quyết định số 12/QĐ-UBND…";
  CHECK(visible(nfc) == nfc);
  // "Thịnh" decomposed: i + U+0323 (dot below); "Tổ": o + U+0302 (circumflex) + U+0309 (hook above).
  const std::string nfd = "T\x6f\xcc\x82\xcc\x89 Thi\xcc\xa3nh";
  CHECK(visible(nfd) == nfd);
  CHECK(visible("") == "");
  CHECK(visible("plain ASCII: 1 < 2, \"quoted\", 'single' {braces} ~") ==
        "plain ASCII: 1 < 2, \"quoted\", 'single' {braces} ~");
  // Other scripts and symbols that are not controls or format characters are left alone too.
  CHECK(visible("中文 😀 € ½ ©") == "中文 😀 € ½ ©");
}

TEST_CASE("C0 controls, TAB, line ends and DEL are shown as escapes", "[display]") {
  CHECK(visible("\x1b[2J") == "\\x1b[2J");
  CHECK(visible("a\tb\nc\rd") == "a\\tb\\nc\\rd");
  CHECK(visible("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(visible("\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\") ==
        "\\x1b]8;;http://evil.example/\\x1b\\\\link\\x1b]8;;\\x1b\\\\");
  CHECK(visible("nul\0here"s) == "nul\\x00here");
  CHECK(visible("\x01\x08\x0b\x0c\x1f") == "\\x01\\x08\\x0b\\x0c\\x1f");
  CHECK(visible("del\x7f") == "del\\x7f");
}

TEST_CASE("C1 controls are shown as escapes", "[display]") {
  CHECK(visible("\xc2\x80") == "\\u0080");
  CHECK(visible("\xc2\x85next line") == "\\u0085next line");
  CHECK(visible("\u009b2J") == "\\u009b2J");                         // CSI, the one-character form of ESC [
  CHECK(visible("\u009d0;title\u009c") == "\\u009d0;title\\u009c");  // OSC ... ST
  CHECK(visible("\xc2\x9f") == "\\u009f");
  CHECK(visible("\xc2\xa0") == "\xc2\xa0");  // U+00A0 (no-break space) is the first after them: printable
}

TEST_CASE("Bidirectional formatting characters are shown as escapes", "[display]") {
  using Pair = std::pair<std::string, std::string>;
  const std::vector<Pair> embeddings_overrides_isolates_marks = {
      {"\u202a", "\\u202a"}, {"\u202b", "\\u202b"}, {"\u202c", "\\u202c"}, {"\u202d", "\\u202d"},
      {"\u202e", "\\u202e"}, {"\u2066", "\\u2066"}, {"\u2067", "\\u2067"}, {"\u2068", "\\u2068"},
      {"\u2069", "\\u2069"}, {"\u200e", "\\u200e"}, {"\u200f", "\\u200f"}, {"\u061c", "\\u061c"}};
  for (const auto& [text, shown] : embeddings_overrides_isolates_marks) CHECK(visible(text) == shown);
  // The classic disguise: after U+202E (right-to-left override), "txt.exe" displays as "exe.txt".
  CHECK(visible("Tổ an ninh \u202etxt.exe") == "Tổ an ninh \\u202etxt.exe");
}

TEST_CASE("Invisible format characters and line separators are shown as escapes", "[display]") {
  CHECK(visible("TL\u200b-M1") == "TL\\u200b-M1");                  // zero-width space
  CHECK(visible("a\u200cb\u200db") == "a\\u200cb\\u200db");         // zero-width non-joiner and joiner
  CHECK(visible("\u2060\ufeff\u00ad") == "\\u2060\\ufeff\\u00ad");  // word joiner, BOM, soft hyphen
  CHECK(visible("a\u2028b\u2029c") == "a\\u2028b\\u2029c");
  CHECK(visible("\U000E0041\U000E007F") == "\\U000e0041\\U000e007f");  // tag characters hide ASCII
  // Drawn as nothing though not format characters: a variation selector, the combining grapheme joiner, the Hangul
  // filler (a "blank" letter), and U+2065, unassigned in the block of invisible operators.
  CHECK(visible("a\ufe0fb\u034fc\u3164d\u2065") == "a\\ufe0fb\\u034fc\\u3164d\\u2065");
  CHECK(visible("\U0010FFFF\uFFFE") == "\\U0010ffff\\ufffe");  // noncharacters
}

TEST_CASE("Each byte that is not part of valid UTF-8 is shown as its hex escape", "[display]") {
  CHECK(visible("\xff") == "\\xff");
  CHECK(visible("ab\xc3") == "ab\\xc3");                         // a sequence cut short at the end
  CHECK(visible("\xc3(") == "\\xc3(");                           // a lead byte without its continuation
  CHECK(visible("\xc0\xaf") == "\\xc0\\xaf");                    // an overlong '/'
  CHECK(visible("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(visible("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(visible("\x80") == "\\x80");                             // a lone continuation byte
  CHECK(visible("é\xffé") == "é\\xffé");                         // and the text around them stays
}

TEST_CASE("A backslash is doubled, so a text holding an escape's spelling shows apart from the character",
          "[display]") {
  CHECK(visible("\\") == "\\\\");
  CHECK(visible("\\x1b") == "\\\\x1b");
  CHECK(visible("\\x1b") != visible("\x1b"));
  CHECK(visible("\\u202e") != visible("\u202e"));
}

TEST_CASE("Nothing visible() returns holds a control, format or invalid byte", "[display]") {
  // Every byte value, alone and after the first bytes of a sequence of each length.
  for (int b = 0; b < 256; ++b)
    for (const std::string prefix : {"", "\xc2", "\xd8", "\xe2\x80", "\xe2\x81", "\xf0\x9f\x98"}) {
      const std::string shown = visible(prefix + static_cast<char>(b));
      INFO(prefix.size() << " " << b << " -> " << shown);
      CHECK(!test::holds_raw_control(shown));
    }
  // The checker itself finds what it looks for.
  CHECK(test::holds_raw_control("a\u202eb"));
  CHECK(test::holds_raw_control("\x1b"));
  CHECK(test::holds_raw_control("\xff"));
  CHECK(!test::holds_raw_control("\\u202e \\x1b Tổ"));
}

TEST_CASE("Cells pad by the columns the text takes, not by its bytes", "[display]") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("Tổ dân cư") == 9);
  CHECK(display_width("T\x6f\xcc\x82\xcc\x89") == 2);  // NFD: the combining marks take no column
  CHECK(display_width("中文") == 4);
  CHECK(cell("Tổ dân cư", 12) == "Tổ dân cư   ");
  CHECK(cell("T\x6f\xcc\x82\xcc\x89", 4) == "T\x6f\xcc\x82\xcc\x89  ");
  CHECK(cell("a\x1b", 6) == "a\\x1b ");  // the escape's columns count
  CHECK(cell("longer than the cell", 4) == "longer than the cell");
  CHECK(cell_right("7", 4) == "   7");
  CHECK(cell_right("Đ", 3) == "  Đ");
  CHECK(cell_right("\t", 3) == " \\t");
}

}  // namespace
}  // namespace antq::cli

namespace antq::cli {
namespace {

TEST_CASE("json_visible writes what a terminal acts on as JSON escapes, and the value stays the same", "[display]") {
  const nlohmann::json value = {
      {"name", "Tổ an ninh\x1b[2J\u202etxt\u2066"},
      {"c1", "\u0085\u009b"},
      {"del", "a\x7f"},
      {"tag", "\U000E0041"},
      {"nfd", "To\xcc\x82\xcc\x89"},
      {"list", {"\u200b", "\u2028", 1, nullptr}},
      {"key \u202e", true}};
  for (int indent : {-1, 2}) {
    const std::string text = json_visible(value.dump(indent, ' ', false));
    INFO(text);
    CHECK(!test::holds_raw_control(text, "\n"));
    CHECK(nlohmann::json::parse(text) == value);
    CHECK_THAT(text, Catch::Contains("Tổ an ninh\\u001b[2J\\u202etxt\\u2066") && Catch::Contains("\\u0085\\u009b") &&
                         Catch::Contains("a\\u007f") && Catch::Contains("\\udb40\\udc41") &&
                         Catch::Contains("To\xcc\x82\xcc\x89") && Catch::Contains("\"key \\u202e\""));
  }
}

TEST_CASE("json_visible on strings of every kind of piece: the value stays, nothing raw reaches the terminal",
          "[display]") {
  // Pieces of text mixed at random (a fixed seed): ASCII runs, JSON's own specials, C0, DEL, C1, Vietnamese,
  // bidirectional and invisible characters, a tag character, an emoji, a byte that is not UTF-8.
  const std::vector<std::string> pieces = {"abc",       " ",      "\"",      "\\",        "/",         "\n",
                                           "\t",        "\x01",   "\x1b[2J", "\x7f",      "\u0085",    "Tổ",
                                           "Lạc Thịnh", "\u202e", "\u2028",  "\u200b",    "\ufeff",    "\U000E0041",
                                           "😀",         "\xff",   "~",       "{\"k\":1}", "o\xcc\x82", "0x7e"};
  std::mt19937 random(20261206);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = static_cast<int>(random() % 12);
    for (int k = 0; k < n; ++k) text += pieces[random() % pieces.size()];
    const nlohmann::json value = {{"v", text}, {text.substr(0, 8), round}};
    for (int indent : {-1, 2}) {
      const std::string dump = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
      const std::string shown = json_visible(dump);
      INFO(shown);
      CHECK_FALSE(test::holds_raw_control(shown, "\n"));
      CHECK(nlohmann::json::parse(shown) == nlohmann::json::parse(dump));
    }
  }
}

TEST_CASE("html_escape makes markup text and shows what a terminal would act on, once", "[display]") {
  CHECK(html_escape("<script>alert('x')</script> & \"Tổ\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Tổ&quot;");
  CHECK(html_escape("Lạc Thịnh") == "Lạc Thịnh");
  // visible() first: a bidirectional override shows as its escape, not reversing the printed line.
  CHECK(html_escape("a\u202eb\n") == "a\\u202eb\\n");
  // One layer: an entity in the input is text, its & escaped.
  CHECK(html_escape("&lt;") == "&amp;lt;");
}

}  // namespace
}  // namespace antq::cli
