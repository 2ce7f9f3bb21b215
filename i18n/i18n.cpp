#include "i18n/i18n.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <locale>

#include <fmt/args.h>

#include <boost/locale/gnu_gettext.hpp>
#include <boost/locale/message.hpp>

namespace antq::i18n {

namespace generated {
// po/vi.po compiled by msgfmt, embedded by cmake/embed_catalogue.cmake.
extern const unsigned char kViCatalogue[];
extern const std::size_t kViCatalogueSize;
}  // namespace generated

namespace {

std::atomic<int> g_process_lang{-1};  // -1: not chosen yet

// The Vietnamese catalogue, read once. Boost.Locale asks its callback for the .mo file of the language; it gets the
// embedded bytes whatever the path.
// GCC 12 at -O3 (a Release build) finds messages_info's strings "may be used uninitialized" inside Boost.Locale's
// inlined code; they are constructed. The warning is silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
const boost::locale::message_format<char>& vi_catalogue() {
  // A facet lives in the locale that holds it (its destructor is the locale's to call).
  static const std::locale holder = [] {
    boost::locale::gnu_gettext::messages_info info;
    info.language = "vi";
    info.encoding = "UTF-8";
    info.domains.push_back(boost::locale::gnu_gettext::messages_info::domain("antq"));
    info.paths.push_back("/embedded");
    info.callback = [](const std::string& file, const std::string&) {
      std::vector<char> bytes;
      if (file.ends_with("/vi/LC_MESSAGES/antq.mo"))
        bytes.assign(reinterpret_cast<const char*>(generated::kViCatalogue),
                     reinterpret_cast<const char*>(generated::kViCatalogue) + generated::kViCatalogueSize);
      return bytes;
    };
    return std::locale(std::locale::classic(), boost::locale::gnu_gettext::create_messages_facet<char>(info));
  }();
  return std::use_facet<boost::locale::message_format<char>>(holder);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

const char* lookup(Lang lang, const char* context, const char* msgid) {
  if (lang == Lang::en || msgid == nullptr || *msgid == '\0') return msgid;
  const char* found = vi_catalogue().get(0, context, msgid);
  return found != nullptr && *found != '\0' ? found : msgid;
}

}  // namespace

std::optional<Lang> parse_lang(std::string_view name) {
  auto starts = [&](std::string_view p) {
    return name == p || (name.starts_with(p) && (name[p.size()] == '_' || name[p.size()] == '-' ||
                                                 name[p.size()] == '.' || name[p.size()] == '@'));
  };
  if (starts("vi")) return Lang::vi;
  if (starts("en") || starts("C") || name == "POSIX") return Lang::en;
  return std::nullopt;
}

Lang lang_from_env() {
  for (const char* var : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    std::string_view first(v);
    if (std::strcmp(var, "LANGUAGE") == 0) first = first.substr(0, first.find(':'));
    return parse_lang(first).value_or(Lang::en);
  }
  return Lang::en;
}

Lang process_lang() {
  int l = g_process_lang.load(std::memory_order_relaxed);
  if (l < 0) {
    l = static_cast<int>(lang_from_env());
    g_process_lang.store(l, std::memory_order_relaxed);
  }
  return static_cast<Lang>(l);
}

void set_process_lang(Lang lang) { g_process_lang.store(static_cast<int>(lang), std::memory_order_relaxed); }

const char* tr(Lang lang, const char* msgid) { return lookup(lang, nullptr, msgid); }
const char* trc(Lang lang, const char* context, const char* msgid) { return lookup(lang, context, msgid); }

namespace {
// Whether `s` is a date as the ledger writes it, YYYY-MM-DD.
bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}
}  // namespace

std::string date(Lang lang, std::string_view iso) {
  if (lang != Lang::vi || !is_iso_date(iso)) return std::string(iso);
  return fmt::format("{}/{}/{}", iso.substr(8, 2), iso.substr(5, 2), iso.substr(0, 4));
}

std::string format(Lang lang, const char* msgid, const std::vector<std::string>& args) {
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (const auto& a : args) store.push_back(date(lang, a));  // Vietnamese dates read dd/mm/yyyy
  const char* translated = tr(lang, msgid);
  if (translated != msgid) {
    try {
      return fmt::vformat(translated, store);
    } catch (const fmt::format_error&) {
      // the catalogue's template does not take these values: say it in English rather than not at all
    }
  }
  try {
    return fmt::vformat(msgid, store);
  } catch (const fmt::format_error&) {
    return msgid;  // our own template is wrong: a test (tests/i18n/i18n_test.cpp) keeps this from happening
  }
}

Text Text::verbatim(std::string plain) {
  Text t;
  t.verbatim_ = std::move(plain);
  return t;
}

Text Text::term(std::string id, const Msg& word) {
  Text t;
  t.verbatim_ = std::move(id);
  t.context_ = word.context;
  t.msgid_ = word.id;
  return t;
}

Text Text::word(std::string english) {
  Text t;
  t.verbatim_ = std::move(english);
  t.look_up_ = true;
  return t;
}

std::string Text::str(Lang lang) const {
  if (look_up_) return lang == Lang::en ? verbatim_ : std::string(tr(lang, verbatim_.c_str()));
  if (msgid_ == nullptr) return verbatim_;
  if (context_ != nullptr) return lang == Lang::en ? verbatim_ : trc(lang, context_, msgid_);
  std::vector<std::string> words;
  words.reserve(args_.size());
  for (const auto& a : args_) words.push_back(a.text ? a.text->str(lang) : a.word);
  return format(lang, msgid_, words);
}

}  // namespace antq::i18n
