#include "projections/words.hpp"

#include <map>

namespace antq::projections::words {

namespace {

using Table = std::map<std::string, i18n::Msg, std::less<>>;

std::string name(const Table& table, i18n::Lang lang, const std::string& id) {
  auto it = table.find(id);
  return it == table.end() ? id : i18n::tr(lang, it->second);
}

i18n::Text text(const Table& table, const std::string& id) {
  auto it = table.find(id);
  return it == table.end() ? i18n::Text::verbatim(id) : i18n::Text::term(id, it->second);
}

const Table& stage_table() {
  static const Table table = {{"surveying", NC_("stage", "surveying")},
                              {"proposed", NC_("stage", "proposed")},
                              {"established", NC_("stage", "established")},
                              {"active", NC_("stage", "active")},
                              {"terminated", NC_("stage", "terminated")},
                              {"merged", NC_("stage", "merged")},
                              {"building", NC_("stage", "building")},
                              {"recognized", NC_("stage", "recognized")},
                              {"ended", NC_("stage", "ended")},
                              {"carried-over", NC_("stage", "carried over")}};
  return table;
}

const Table& kind_table() {
  static const Table table = {
      {"model", NC_("kind", "model")},
      {"point", NC_("kind", "point")},
      {"exemplar", NC_("kind", "exemplar")},
  };
  return table;
}

const Table& level_table() {
  static const Table table = {{"good", NC_("level", "Good")},        {"fair", NC_("level", "Fair")},
                              {"average", NC_("level", "Average")},  {"weak", NC_("level", "Weak")},
                              {"commune", NC_("level", "commune")},  {"district", NC_("level", "district")},
                              {"province", NC_("level", "province")}};
  return table;
}

// The findings of domain.md §10 and docs/rules.md, by id.
const Table& rule_table() {
  static const Table table = {{"late-proposal", NC_("rule", "late rating proposal")},
                              {"late-decision", NC_("rule", "late rating decision")},
                              {"late-forwarding", NC_("rule", "late forwarding")},
                              {"level-mismatch", NC_("rule", "level does not match targets met")},
                              {"weak-not-terminated", NC_("rule", "Weak model not terminated")},
                              {"missing-plan", NC_("rule", "missing activity plan")},
                              {"missing-report", NC_("rule", "missing report")},
                              {"dossier-incomplete", NC_("rule", "incomplete dossier")},
                              {"exemplar-late-evaluation", NC_("rule", "late exemplar evaluation")},
                              {"exemplar-below-threshold", NC_("rule", "exemplar below threshold")},
                              {"duplicate-model", NC_("rule", "duplicate model")},
                              {"replication-ineffective", NC_("rule", "replication ineffective")},
                              {"exemplar-common-criteria", NC_("rule", "exemplar without the common criteria")},
                              {"missing-rating", NC_("rule", "missing rating")},
                              {"missing-forwarding", NC_("rule", "rating never forwarded")},
                              {"good-not-announced", NC_("rule", "Good model not announced")},
                              {"missing-unit-report", NC_("rule", "unit report missing")},
                              {"rating-criteria-unsupported", NC_("rule", "rating criterion unsupported")},
                              {"not-carried-over", NC_("rule", "not carried over")},
                              {"handover-due", NC_("rule", "hand-over due")},
                              {"handover-overdue", NC_("rule", "hand-over overdue")}};
  return table;
}

const Table& status_table() {
  static const Table table = {{"valid", NC_("status", "valid")},
                              {"not-revoked", NC_("status", "not revoked")},
                              {"revoked", NC_("status", "revoked")},
                              {"expired", NC_("status", "expired")},
                              {"not-yet-valid", NC_("status", "not yet valid")}};
  return table;
}

// Words whose English is the id itself (tables print the id in English, as they always have).
const Table& unit_kind_table() {
  static const Table table = {{"people-committee", NC_("unit kind", "people-committee")},
                              {"steering-committee", NC_("unit kind", "steering-committee")},
                              {"police", NC_("unit kind", "police")},
                              {"party-committee", NC_("unit kind", "party-committee")},
                              {"front", NC_("unit kind", "front")},
                              {"department", NC_("unit kind", "department")},
                              {"agency", NC_("unit kind", "agency")},
                              {"enterprise", NC_("unit kind", "enterprise")},
                              {"school", NC_("unit kind", "school")},
                              {"other", NC_("unit kind", "other")}};
  return table;
}

const Table& record_status_table() {
  static const Table table = {{"open", NC_("record status", "open")},
                              {"retained", NC_("record status", "retained")},
                              {"handover-due", NC_("record status", "handover-due")},
                              {"handover-overdue", NC_("record status", "handover-overdue")},
                              {"transferred", NC_("record status", "transferred")},
                              {"disposal-eligible", NC_("record status", "disposal-eligible")},
                              {"held", NC_("record status", "held")},
                              {"disposed", NC_("record status", "disposed")}};
  return table;
}

const Table& reader_role_table() {
  static const Table table = {{"inspector", NC_("reader role", "inspector")},
                              {"auditor", NC_("reader role", "auditor")},
                              {"archivist", NC_("reader role", "archivist")},
                              {"reader", NC_("reader role", "reader")},
                              {"submitter", NC_("reader role", "submitter")}};
  return table;
}

}  // namespace

std::string reader_role(i18n::Lang lang, const std::string& id) { return name(reader_role_table(), lang, id); }
std::string unit_kind(i18n::Lang lang, const std::string& id) { return name(unit_kind_table(), lang, id); }
std::string record_status(i18n::Lang lang, const std::string& id) { return name(record_status_table(), lang, id); }
std::string stage(i18n::Lang lang, const std::string& id) { return name(stage_table(), lang, id); }
std::string kind(i18n::Lang lang, const std::string& id) { return name(kind_table(), lang, id); }
std::string level(i18n::Lang lang, const std::string& id) { return name(level_table(), lang, id); }
std::string rule(i18n::Lang lang, const std::string& id) { return name(rule_table(), lang, id); }
std::string status(i18n::Lang lang, const std::string& id) { return name(status_table(), lang, id); }

i18n::Text stage_text(const std::string& id) { return text(stage_table(), id); }
i18n::Text kind_text(const std::string& id) { return text(kind_table(), id); }
i18n::Text level_text(const std::string& id) { return text(level_table(), id); }

const char* act(i18n::Lang lang, const std::string& id) {
  static const Table table = {{"survey.plan-approved", NC_("act", "survey plan approved")},
                              {"model.proposed", NC_("act", "model proposed")},
                              {"model.established", NC_("act", "establishment decision")},
                              {"model.recognized", NC_("act", "recognition decision")},
                              {"model.regulations-issued", NC_("act", "regulations issued")},
                              {"model.launched", NC_("act", "launched")},
                              {"model.plan-issued", NC_("act", "activity plan")},
                              {"model.report-filed", NC_("act", "report filed")},
                              {"model.rating-proposed", NC_("act", "rating proposed")},
                              {"model.rated", NC_("act", "rating decision")},
                              {"model.rating-forwarded", NC_("act", "rating forwarded")},
                              {"model.replicated", NC_("act", "replicated")},
                              {"model.merged", NC_("act", "merged")},
                              {"model.terminated", NC_("act", "terminated")},
                              {"model.announced", NC_("act", "announced")},
                              {"exemplar.surveyed", NC_("act", "exemplar surveyed")},
                              {"exemplar.recognized", NC_("act", "exemplar recognized")},
                              {"exemplar.evaluated", NC_("act", "exemplar evaluated")},
                              {"exemplar.ended", NC_("act", "exemplar ended")},
                              {"subject.carried-over", NC_("act", "carried over")}};
  auto it = table.find(id);
  return it == table.end() ? nullptr : i18n::tr(lang, it->second);
}

}  // namespace antq::projections::words
