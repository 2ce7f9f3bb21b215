#include "projections/names.hpp"

#include <cstdlib>

#include <utf8proc.h>

namespace antq::projections {
namespace {

// `text` mapped by utf8proc with `options`; nullopt when it is not UTF-8 (or holds a NUL).
std::optional<std::string> mapped(std::string_view text, int options) {
  const std::string copy(text);  // utf8proc wants a NUL-terminated string
  if (copy.find('\0') != std::string::npos) return std::nullopt;
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(copy.c_str()), 0, &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_NULLTERM | UTF8PROC_STABLE | options));
  std::optional<std::string> result;
  if (n >= 0 && out != nullptr) result = std::string(reinterpret_cast<const char*>(out));
  std::free(out);
  return result;
}

// The five Vietnamese tone marks, as combining characters: huyền, sắc, ngã, hỏi, nặng.
bool is_tone(utf8proc_int32_t cp) { return cp == 0x300 || cp == 0x301 || cp == 0x303 || cp == 0x309 || cp == 0x323; }

bool is_word_char(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

void append(std::string& out, utf8proc_int32_t cp) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(cp, buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// The words of `text` (folded and decomposed: NFD), each with its tone marks moved to its end, then composed.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  auto decomposed = mapped(fold_text(text), UTF8PROC_DECOMPOSE);
  if (!decomposed) return {std::string(text)};
  std::string letters, tones;
  auto flush = [&] {
    if (letters.empty() && tones.empty()) return;
    auto composed = mapped(letters + tones, UTF8PROC_COMPOSE);
    words.push_back(composed.value_or(letters + tones));
    letters.clear();
    tones.clear();
  };
  const std::string& s = *decomposed;
  for (std::size_t at = 0; at < s.size();) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + at),
                                    static_cast<utf8proc_ssize_t>(s.size() - at), &cp);
    if (n <= 0) return {std::string(text)};
    at += static_cast<std::size_t>(n);
    if (!is_word_char(cp)) {
      flush();
    } else if (is_tone(cp)) {
      append(tones, cp);
    } else {
      append(letters, cp);
    }
  }
  flush();
  return words;
}

using Expansions = std::map<std::string, std::vector<std::string>, std::less<>>;

Expansions expansions_of(const std::map<std::string, std::string, std::less<>>& abbreviations) {
  Expansions expand;
  for (const auto& [abbreviation, words] : abbreviations) {
    const auto key = words_of(abbreviation);
    if (key.size() == 1) expand[key[0]] = words_of(words);
  }
  return expand;
}

std::string key_with(std::string_view name, const Expansions& expand) {
  std::string out;
  for (const auto& word : words_of(name)) {
    auto it = expand.find(word);
    for (const auto& w : it == expand.end() ? std::vector<std::string>{word} : it->second)
      out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

}  // namespace

std::string fold_text(std::string_view name) {
  const std::string text = mapped(name, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD).value_or(std::string(name));
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string name_key(std::string_view name, const std::map<std::string, std::string, std::less<>>& abbreviations) {
  return key_with(name, expansions_of(abbreviations));
}

ModelNames::ModelNames(const NameRules& rules) : expand_(expansions_of(rules.abbreviations)) {
  for (const auto& s : rules.standard) {
    const std::string group = key_with(s.name, expand_);
    groups_.try_emplace(group, group);
    for (const auto& alias : s.aliases) groups_.try_emplace(key_with(alias, expand_), group);
    standard_.try_emplace(group, s.name);
  }
}

std::string ModelNames::group(std::string_view name) const {
  std::string key = key_with(name, expand_);
  if (auto it = groups_.find(key); it != groups_.end()) return it->second;
  return key;
}

std::optional<std::string> ModelNames::standard(const std::string& group) const {
  auto it = standard_.find(group);
  if (it == standard_.end()) return std::nullopt;
  return it->second;
}

}  // namespace antq::projections
