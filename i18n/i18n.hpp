// The words antq shows people, in Vietnamese (first, for the offices) or English. Messages are written in English
// in the code, marked for xgettext, and translated by the gettext message catalogue po/vi.po, which the build
// compiles with msgfmt and embeds in the program (cmake/embed_catalogue.cmake): an installed antq and a test build
// read the same catalogue, and no file has to be found at run time.
//
// Boost.Locale's gettext reader looks strings up, not glibc's gettext(): glibc takes the language from the process's
// locale, which must be generated on the machine (a fresh Debian has only C.UTF-8) and is one for the whole process,
// while `antq serve` answers each request in the language it asks for. A lookup here needs neither.
//
// Marking, for xgettext (po/extract.sh): tr(lang, "…") and trc(lang, "context", "…") translate at once; N_("…") and
// NC_("context", "…") mark a string kept for later; Text("…", args…) a message put into words later (findings,
// dossier reasons, and errors: signing/result.hpp's Error carries one). A message with values is a fmt template,
// "{}" for each value; a translation may reorder them with "{0}", "{1}"….
//
// Threads: every function here may be called from any thread; the catalogue is read once, at first use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace antq::i18n {

enum class Lang { en, vi };

// "vi", "vi_VN", "vi_VN.UTF-8", "vi-VN" → vi; "en", "C", "C.UTF-8", "POSIX", "en_US…" → en; nullopt otherwise.
std::optional<Lang> parse_lang(std::string_view name);
// The language of the environment, as gettext chooses it: the first of LANGUAGE (its first entry), LC_ALL,
// LC_MESSAGES, LANG that is set and not empty; vi when that names Vietnamese, else en.
Lang lang_from_env();
// The language of this process's messages: lang_from_env() until set_process_lang() (the CLI's --lang).
Lang process_lang();
void set_process_lang(Lang lang);

// The translation of `msgid` into `lang`: the catalogue's string, or `msgid` itself for English and for a string the
// catalogue lacks. The pointer lives as long as the program (or as `msgid`).
const char* tr(Lang lang, const char* msgid);
// The same for a msgid that means different things in different places (pgettext): "terminated" as a stage and as
// an act.
const char* trc(Lang lang, const char* context, const char* msgid);

// A string with its context, kept to be translated later (a table of words).
struct Msg {
  const char* context;
  const char* id;
};
#define N_(s) s
#define NC_(c, s) \
  ::antq::i18n::Msg { c, s }
inline const char* tr(Lang lang, const Msg& m) { return trc(lang, m.context, m.id); }

// fmt::format of the translation of `msgid` with `args`; the English template when the translation does not format
// with them (a catalogue error never costs the message). Values are formatted with "{}" before they go in; in
// Vietnamese a value that is a date YYYY-MM-DD is written dd/mm/yyyy.
std::string format(Lang lang, const char* msgid, const std::vector<std::string>& args);
// A date YYYY-MM-DD as `lang` writes it: dd/mm/yyyy in Vietnamese, as it is in English; text that is not such a
// date as it is.
std::string date(Lang lang, std::string_view iso);

template <typename... A>
std::string trf(Lang lang, const char* msgid, A&&... args) {
  return format(lang, msgid, {fmt::format("{}", std::forward<A>(args))...});
}

// A message put into words later, in the reader's language: an English template (a msgid) and its values, each a
// word already written (a number, an id, a date: never translated) or a Text of its own (translated in turn).
// Findings, dossier reasons and refusals carry one, so that the CLI, the JSON and the desk each say it in theirs.
class Text {
 public:
  Text() = default;
  // A message with no value: `plain` is taken as it is, never translated (a word from outside, e.g. a refusal's
  // reason that came from a library).
  static Text verbatim(std::string plain);
  // An id the ledger writes ("good", "active"): the id itself in English, its word (projections/words.hpp) in
  // another language.
  static Text term(std::string id, const Msg& word);
  // A word given as a value (e.g. "signed event file", which file a message is about), translated when the
  // catalogue has it: mark the literal N_ where it is written.
  static Text word(std::string english);
  template <typename... A>
  explicit Text(const char* msgid, A&&... args) : msgid_(msgid) {
    (add(std::forward<A>(args)), ...);
  }

  // The message in `lang`.
  std::string str(Lang lang = Lang::en) const;
  bool empty() const { return msgid_ == nullptr && verbatim_.empty(); }

 private:
  void add(const Text& t) { args_.push_back({{}, std::make_shared<const Text>(t)}); }
  void add(Text&& t) { args_.push_back({{}, std::make_shared<const Text>(std::move(t))}); }
  template <typename V>
  requires(!std::is_same_v<std::remove_cvref_t<V>, Text>) void add(V&& v) {
    args_.push_back({fmt::format("{}", std::forward<V>(v)), nullptr});
  }
  struct Arg {
    std::string word;
    std::shared_ptr<const Text> text;  // when not null, the value is this message
  };
  const char* context_ = nullptr;
  const char* msgid_ = nullptr;
  std::string verbatim_;
  bool look_up_ = false;  // word(): verbatim_ is a msgid
  std::vector<Arg> args_;
};

}  // namespace antq::i18n
