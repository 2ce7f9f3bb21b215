// The names people read for the ids the ledger writes: stages, kinds, rating levels and authority levels, finding
// rules, act kinds, certificate statuses — in Vietnamese or English (i18n/i18n.hpp). JSON keeps the ids; tables,
// the desk and printed documents show these.
#pragma once

#include <string>

#include "i18n/i18n.hpp"

namespace antq::projections::words {

// Each returns the name of `id` in `lang`, or `id` itself for one it does not know (a newer ledger's word).
std::string stage(i18n::Lang lang, const std::string& id);   // "active" → "Đang hoạt động"
std::string kind(i18n::Lang lang, const std::string& id);    // "model" → "Mô hình"
std::string level(i18n::Lang lang, const std::string& id);   // "good" → "Tốt", "commune" → "Cấp xã"
std::string rule(i18n::Lang lang, const std::string& id);    // a finding of domain.md §10: "late-decision" → …
std::string status(i18n::Lang lang, const std::string& id);  // a certificate's: "revoked" → "đã bị thu hồi"
std::string unit_kind(i18n::Lang lang, const std::string& id);  // "people-committee" → "Ủy ban nhân dân"
std::string record_status(i18n::Lang lang, const std::string& id);  // retention's: "handover-due" → "đến hạn giao nộp"
std::string reader_role(i18n::Lang lang, const std::string& id);  // access.granted's: "inspector" → "thanh tra"
// The same as a message's value (audit findings): the id in English, its word in another language.
i18n::Text stage_text(const std::string& id);
i18n::Text kind_text(const std::string& id);
i18n::Text level_text(const std::string& id);
// The name of act kind `id` ("model.rated" → "Quyết định xếp loại"); nullptr for one it does not know.
const char* act(i18n::Lang lang, const std::string& id);

}  // namespace antq::projections::words
