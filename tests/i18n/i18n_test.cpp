// i18n/i18n.cpp: the catalogue's lookups, the environment's language, messages put into words later; and
// po/vi.po itself: every translation takes the values its English template takes.
#include "i18n/i18n.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "projections/words.hpp"

using namespace antq;
using i18n::Lang;

namespace {

// Sets an environment variable for one scope, then puts it back.
struct EnvVar {
  std::string name;
  std::optional<std::string> old;
  EnvVar(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    if (value)
      setenv(name.c_str(), value, 1);
    else
      unsetenv(name.c_str());
  }
  ~EnvVar() {
    if (old)
      setenv(name.c_str(), old->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
};

struct PoEntry {
  std::string context, id, str;
};

// The entries of a .po file as msgfmt reads them: msgctxt, msgid and msgstr, each one or more quoted lines.
std::vector<PoEntry> read_po(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<PoEntry> out;
  PoEntry cur;
  std::string* field = nullptr;
  auto unquote = [](const std::string& q) {
    std::string s;
    for (std::size_t i = 1; i + 1 < q.size(); ++i) {
      if (q[i] == '\\' && i + 2 < q.size()) {
        ++i;
        s += q[i] == 'n' ? '\n' : q[i];
      } else {
        s += q[i];
      }
    }
    return s;
  };
  std::string line;
  auto flush = [&] {
    if (!cur.id.empty()) out.push_back(cur);
    cur = {};
  };
  while (std::getline(in, line)) {
    if (line.starts_with("msgctxt ")) {
      flush();
      field = &cur.context;
      *field = unquote(line.substr(8));
    } else if (line.starts_with("msgid ")) {
      if (cur.context.empty()) flush();
      field = &cur.id;
      *field = unquote(line.substr(6));
    } else if (line.starts_with("msgstr ")) {
      field = &cur.str;
      *field = unquote(line.substr(7));
    } else if (line.starts_with("\"") && field) {
      *field += unquote(line);
    } else {
      field = nullptr;
    }
  }
  flush();
  return out;
}

// The values a fmt template takes: the number of "{}" or the highest "{N}" + 1.
std::size_t values_taken(const std::string& t) {
  std::size_t automatic = 0, highest = 0;
  static const std::regex field(R"(\{(\d*)\})");
  for (auto it = std::sregex_iterator(t.begin(), t.end(), field); it != std::sregex_iterator(); ++it) {
    if ((*it)[1].length() == 0)
      ++automatic;
    else
      highest = std::max<std::size_t>(highest, std::stoul((*it)[1]) + 1);
  }
  return std::max(automatic, highest);
}

}  // namespace

TEST_CASE("a message is looked up in the Vietnamese catalogue, English is the message itself", "[i18n]") {
  CHECK(std::string(i18n::tr(Lang::vi, "Pages")) == "Các trang");
  CHECK(std::string(i18n::tr(Lang::en, "Pages")) == "Pages");
  // A message the catalogue lacks reads in English rather than not at all.
  CHECK(std::string(i18n::tr(Lang::vi, "no such message in the catalogue")) == "no such message in the catalogue");
  // One English word, two meanings: the context tells them apart.
  CHECK(std::string(i18n::trc(Lang::vi, "stage", "terminated")) == "Đã kết thúc");
  CHECK(std::string(i18n::trc(Lang::vi, "act", "terminated")) == "Kết thúc hoạt động");
  CHECK(projections::words::rule(Lang::vi, "late-decision") == "Quyết định xếp loại muộn");
  CHECK(projections::words::rule(Lang::en, "late-decision") == "late rating decision");
  CHECK(projections::words::rule(Lang::vi, "a-rule-of-a-newer-ledger") == "a-rule-of-a-newer-ledger");
}

TEST_CASE("the language comes from --lang, else LANGUAGE, LC_ALL, LC_MESSAGES, LANG as gettext reads them", "[i18n]") {
  CHECK(i18n::parse_lang("vi") == Lang::vi);
  CHECK(i18n::parse_lang("vi_VN.UTF-8") == Lang::vi);
  CHECK(i18n::parse_lang("vi-VN") == Lang::vi);
  CHECK(i18n::parse_lang("en_GB.UTF-8") == Lang::en);
  CHECK(i18n::parse_lang("C.UTF-8") == Lang::en);
  CHECK(i18n::parse_lang("POSIX") == Lang::en);
  CHECK_FALSE(i18n::parse_lang("video"));
  CHECK_FALSE(i18n::parse_lang("fr"));
  EnvVar language("LANGUAGE", nullptr), all("LC_ALL", nullptr), messages("LC_MESSAGES", nullptr), lang("LANG", "C");
  CHECK(i18n::lang_from_env() == Lang::en);
  {
    EnvVar vi("LANG", "vi_VN.UTF-8");
    CHECK(i18n::lang_from_env() == Lang::vi);
    EnvVar c("LC_ALL", "C");  // LC_ALL overrides LANG
    CHECK(i18n::lang_from_env() == Lang::en);
    EnvVar first("LANGUAGE", "vi:en");  // and LANGUAGE, its first entry, overrides both
    CHECK(i18n::lang_from_env() == Lang::vi);
  }
  EnvVar empty("LC_ALL", "");  // set but empty: skipped
  EnvVar vi("LANG", "vi_VN");
  CHECK(i18n::lang_from_env() == Lang::vi);
}

TEST_CASE("a message put into words later reads in each language, values reordered and dates as the reader writes them",
          "[i18n]") {
  const i18n::Text t("{} of {} for {} is dated {}; it was due before {} ({})", "model.rated", "M-1", 2024, "2024-11-12",
                     "2024-11-10", "hoa-binh-2023");
  CHECK(t.str() == "model.rated of M-1 for 2024 is dated 2024-11-12; it was due before 2024-11-10 (hoa-binh-2023)");
  CHECK(t.str(Lang::vi) ==
        "model.rated của M-1 năm 2024 đề ngày 12/11/2024; hạn trước ngày 10/11/2024 (hoa-binh-2023)");
  // Nested messages are translated in turn; a term is its id in English, its word in Vietnamese.
  const i18n::Text nested("{} was rated {} for {} (decision of {}), but {}% of its targets met is the {} band ({})",
                          "M-2", projections::words::level_text("good"), 2024, "2024-11-08", 60,
                          projections::words::level_text("average"), "p");
  CHECK(nested.str() ==
        "M-2 was rated good for 2024 (decision of 2024-11-08), but 60% of its targets met is the average "
        "band (p)");
  CHECK(nested.str(Lang::vi) ==
        "M-2 được xếp loại Tốt năm 2024 (quyết định ngày 08/11/2024), nhưng tỷ lệ chỉ tiêu đạt "
        "60% thuộc mức Trung bình (p)");
  // Words from outside are never translated, and never read as a template.
  CHECK(i18n::Text::verbatim("{} Pages {}").str(Lang::vi) == "{} Pages {}");
  CHECK(i18n::Text().str(Lang::vi).empty());
  CHECK(i18n::trf(Lang::vi, "Statistics for {}", 2025) == "Thống kê năm 2025");
}

TEST_CASE("every translation in po/vi.po takes the values its English template takes", "[i18n]") {
  const auto entries = read_po(std::string(ANTQ_SOURCE_DIR) + "/po/vi.po");
  REQUIRE(entries.size() > 100);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& e : entries) {
    INFO(e.context << " | " << e.id << " → " << e.str);
    CHECK_FALSE(e.str.empty());
    CHECK(seen.insert({e.context, e.id}).second);
    CHECK(values_taken(e.str) == values_taken(e.id));
    // and formats with them: a translation fmt cannot read would fall back to English at run time
    std::vector<std::string> values(values_taken(e.id), "x");
    CHECK_NOTHROW(i18n::format(Lang::en, e.str.c_str(), values));
    CHECK(i18n::format(Lang::vi, e.id.c_str(), values) != "");
  }
}
