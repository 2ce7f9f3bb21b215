// One model, one name (issue 21 §6): model names compared as the provinces write them. "Tổ dân cư tự quản về ANTT"
// and "Tổ dân cư tự quản về an ninh, trật tự", a name typed in decomposed Unicode, "Uỷ ban" and "Ủy ban" are one
// name: the key of a name is its NFC, case-folded, with the tone mark of each word in one place (the old and the new
// placement, "hoà"/"hòa", "thuỷ"/"thủy", are the same syllable), the profile's abbreviations expanded where a whole
// word is one, and punctuation dropped. Statistics, reports and reconcile group models by this key and print the
// profile's standard name, else the variant most models use.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/profile.hpp"

namespace antq::projections {

// A name as users may type it: NFC, case-folded, white space collapsed to single spaces and trimmed (what --unit
// compares). Text that is not UTF-8 is kept as it is, spaces collapsed.
std::string fold_text(std::string_view text);

// The key of a model name under `abbreviations` (folded abbreviation -> its words, as a profile's `names` gives
// them): fold_text, then words (letters, marks and digits; everything else separates them and is dropped), each
// word's tone mark moved to its end, each word that is an abbreviation replaced by the words it stands for.
std::string name_key(std::string_view name, const std::map<std::string, std::string, std::less<>>& abbreviations = {});

// The names of a profile: keys under its abbreviations, and its standard names with their aliases.
class ModelNames {
 public:
  explicit ModelNames(const NameRules& rules);
  // The group a model name belongs to: the key of the standard name whose name or alias has the same key, else the
  // name's own key.
  std::string group(std::string_view name) const;
  // The standard name of a group, when the profile lists one.
  std::optional<std::string> standard(const std::string& group) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> expand_;  // an abbreviation's key -> its words' keys
  std::map<std::string, std::string> groups_;    // key of a standard name or alias -> the standard name's key
  std::map<std::string, std::string> standard_;  // the key of a standard name -> the name
};

}  // namespace antq::projections
