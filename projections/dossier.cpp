#include "projections/dossier.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "ledger/event.hpp"
#include "projections/admission.hpp"

namespace antq::projections {
namespace {

// Where each act stands in a lifecycle (domain.md §2, §4, §5): an item is reached once an act of a later step
// happened. document.attached and commendations belong to no step.
int step_of(std::string_view kind) {
  static const std::map<std::string, int, std::less<>> steps = {
      {"survey.plan-approved", 1},       {"survey.reported", 2},
      {"model.proposed", 3},             {"model.policy-issued", 4},
      {"model.implementation-issued", 5}, {"model.consulted", 6},
      {"model.established", 7},          {"model.recognized", 7},
      {"model.regulations-issued", 8},   {"model.launched", 9},
      {"model.plan-issued", 10},         {"model.report-filed", 11},
      {"model.reorganized", 12},         {"model.rating-proposed", 13},
      {"model.rated", 14},               {"model.rating-forwarded", 15},
      {"model.replicated", 17},          {"model.announced", 18},
      {"model.merged", 19},              {"model.termination-reported", 20},
      {"model.termination-consulted", 21}, {"model.terminated", 22},
      {"model.termination-announced", 23}, {"exemplar.surveyed", 1},
      {"exemplar.criteria-set", 2},      {"exemplar.plan-issued", 3},
      {"exemplar.self-assessed", 4},     {"exemplar.evaluated", 5},
      {"exemplar.recognized", 6},        {"exemplar.ended", 6},
      {"exemplar.replicated", 7}};
  auto it = steps.find(kind);
  return it == steps.end() ? 0 : it->second;
}

const std::vector<DossierItem>& items_for(const Profile& p, const SubjectState& s) {
  if (s.kind == "exemplar") return p.exemplar_dossier;
  auto it = p.model_dossier.find(s.type);
  if (it == p.model_dossier.end()) it = p.model_dossier.find("self-managed");
  if (it == p.model_dossier.end()) it = p.model_dossier.begin();
  static const std::vector<DossierItem> none;
  return it == p.model_dossier.end() ? none : it->second;
}

// Whether `kind` files a document under `item`. A recognition decision plays the role of the establishment
// decision (domain.md §2, Kon Tum §1.c), so it files where the establishment would.
bool names(const DossierItem& item, std::string_view kind) {
  auto listed = [&](std::string_view k) { return std::find(item.acts.begin(), item.acts.end(), k) != item.acts.end(); };
  return listed(kind) || (kind == "model.recognized" && listed("model.established"));
}

// The documents of `links` filed under `item`: the acts it lists (with their attachments that name no other item),
// and any act's attachments that name it.
std::vector<DossierDocument> documents_for(const ledger::Ledger& ledger, const DossierItem& item,
                                           const std::vector<ChainLink>& links, const PartLinks& earlier) {
  std::vector<DossierDocument> out;
  auto add = [&](const ChainLink& l, const std::string& part) {
    const bool listed = names(item, l.act.act);
    DossierDocument d{l.entry.seq, part, l.act.act, l.act.date, l.act.document, {}, {}};
    for (const auto& s : l.entry.event.signatures) d.signers.emplace_back(s.role, s.signer);
    for (const auto& a : l.act.attachments) {
      if (!(a.item == item.item || (listed && a.item.empty()))) continue;
      // The sealed part holds the bytes as the predecessor held them, and what its admission verified of a signed PDF.
      const std::string_view digest(reinterpret_cast<const char*>(a.sha256.data()), a.sha256.size());
      if (!part.empty()) {
        const auto record = ledger.sealed_value(part, "pdf_signatures", digest);
        const ByteView bytes = record ? ByteView(reinterpret_cast<const std::uint8_t*>(record->data()), record->size())
                                      : ByteView();
        auto pdf = record ? ledger::decode_pdf_signatures(bytes) : Result<std::vector<ledger::PdfSignatureRecord>>();
        // (A record that does not decode shows none: verify names it.)
        d.attachments.push_back({a.sha256, a.media_type, a.size,
                                 ledger.sealed_value(part, "attachments", digest).has_value(), std::nullopt,
                                 pdf ? std::move(*pdf) : std::vector<ledger::PdfSignatureRecord>{}});
      } else
        d.attachments.push_back({a.sha256, a.media_type, a.size, ledger.attachment(a.sha256).has_value(),
                                 disposal_of(LedgerState(ledger), a.sha256), ledger.pdf_signatures(a.sha256)});
    }
    if (listed || !d.attachments.empty()) out.push_back(std::move(d));
  };
  for (const ChainLink& l : earlier.links) add(l, earlier.part);
  for (const ChainLink& l : links) add(l, "");
  return out;
}

}  // namespace

PartLinks carried_links(const ledger::Ledger& ledger, const std::vector<ChainLink>& links) {
  PartLinks out;
  if (links.empty() || links.front().act.act != ledger::kSubjectCarriedOver) return out;
  const auto& d = links.front().act.data;
  out.part = d.value("part", "");
  const std::string from = d.value("from", "");
  const auto record = d.find("record");
  if (record == d.end() || !record->is_object() || !record->contains("entries") || !(*record)["entries"].is_array())
    return out;
  for (const auto& seq : (*record)["entries"]) {
    if (!seq.is_number_integer() || seq.get<std::int64_t>() < 0) continue;  // a decoded body's numbers are signed
    auto bytes = ledger.sealed_entry(out.part, seq.get<std::uint64_t>());
    if (!bytes) continue;
    auto entry = ledger::decode_entry(ByteView(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()));
    if (!entry) continue;
    auto act = ledger::decode_body(entry->event.body);
    if (!act || act->subject != from) continue;
    out.links.push_back({std::move(*entry), std::move(*act)});
  }
  return out;
}

double Dossier::completeness() const {
  const std::size_t required = present + missing;
  return required == 0 ? 1.0 : static_cast<double>(present) / static_cast<double>(required);
}

Result<Dossier> dossier_of(const ledger::Ledger& ledger, const std::string& id, const AsOf& at,
                           const Profile* given) {
  auto read = SubjectReader(ledger).state_with_acts(id, at);
  if (!read) return std::unexpected(read.error());
  if (!read->state)
    return bad_input(at.date || at.seq ? i18n::Text("{}: no such subject in the ledger then", id)
                                       : i18n::Text("{}: no such subject in the ledger", id));
  const SubjectState& s = *read->state;
  const std::vector<ChainLink>& links = read->acts;
  std::optional<Profile> in_force;
  if (!given) {
    auto p = profile_on(ledger, at.date.value_or(s.last_date));
    if (!p) return std::unexpected(p.error());
    in_force = std::move(*p);
  }
  return dossier_from(ledger, s, links, given ? *given : *in_force);
}

Dossier dossier_from(const ledger::Ledger& ledger, const SubjectState& s, const std::vector<ChainLink>& links,
                     const Profile& profile_in_force) {
  const Profile* profile = &profile_in_force;
  Dossier d{s.id, s.kind, s.stage, s.type, profile->id, {}};
  const bool recognized = s.has("model.recognized");
  // Which items a recognized model was not built through: every item of a step before the decision (format 1, as
  // it was), or the profile's own list (format 2; none where the profile provides no recognition).
  const Recognition* recognition = profile->recognition ? &*profile->recognition : nullptr;
  auto excused = [&](const DossierItem& item, int step) {
    if (!recognized) return false;
    if (recognition && recognition->legacy) return step < step_of("model.recognized");
    return recognition && std::find(recognition->excused_items.begin(), recognition->excused_items.end(), item.item) !=
                              recognition->excused_items.end();
  };
  // A model brought in from a replaced procedure (model.established with data.transition): its papers are
  // supplemented, not excused (docs/rules.md "Recognition and transition").
  // A carried-over subject's papers filed in the sealed part before (ledger/FORMAT.md §14), then its own.
  const PartLinks earlier = carried_links(ledger, links);
  const ChainLink* brought_in = nullptr;
  for (const auto* chain : {&earlier.links, &links})
    for (const ChainLink& l : *chain)
      if (l.act.act == "model.established" && l.act.data.is_object() && l.act.data.contains("transition"))
        brought_in = &l;
  for (const DossierItem& item : items_for(*profile, s)) {
    DossierEntry e{item, "", {}, documents_for(ledger, item, links, earlier)};
    int step = 0;
    for (const auto& k : item.acts) step = std::max(step, step_of(k));
    const ChainLink* later = nullptr;
    for (const auto* chain : {&earlier.links, &links})
      for (const ChainLink& l : *chain)
        if (!later && step > 0 && step_of(l.act.act) > step) later = &l;
    // Disposed: every document filed under it was disposed of by a record.disposed decision.
    bool all_disposed = !e.documents.empty();
    for (const auto& doc : e.documents) {
      bool disposed = !doc.attachments.empty();
      for (const auto& a : doc.attachments) disposed = disposed && a.disposal.has_value();
      all_disposed = all_disposed && disposed;
    }
    if (!e.documents.empty()) {
      e.status = all_disposed ? "disposed" : "present";
    } else if (item.if_any) {
      e.status = "not-required";
      e.reason = i18n::Text("(if any): none of its acts happened");
    } else if (item.acts.empty()) {
      // Evidence of effectiveness, reviews: filed by document.attached, due once the model has been rated.
      if (s.has("model.rated") || s.has("exemplar.evaluated")) {
        e.status = "missing";
        const ActRef& r = s.acts.at(s.has("model.rated") ? "model.rated" : "exemplar.evaluated");
        e.reason = i18n::Text("due once rated (entry {}, {}); file it with document.attached", r.seq, r.date);
      } else {
        e.status = "not-required";
        e.reason = i18n::Text("due once the subject has been rated");
      }
    } else if (excused(item, step)) {
      e.status = "not-required";
      e.reason = i18n::Text("a recognized (spontaneous) model was not built through this step");
    } else if (brought_in && step < step_of("model.established")) {
      e.status = "missing";
      e.reason = i18n::Text(
          "brought in from {} by model.established of {} (entry {}): its papers are supplemented, "
          "not excused; file it with document.attached",
          brought_in->act.data.value("transition", ""), brought_in->act.date, brought_in->entry.seq);
    } else if (later) {
      e.status = "missing";
      e.reason =
          i18n::Text("{} of {} (entry {}) came after this step", later->act.act, later->act.date, later->entry.seq);
    } else {
      e.status = "not-required";
      e.reason = i18n::Text("step not reached yet");
    }
    if (e.status == "present") ++d.present;
    else if (e.status == "missing") ++d.missing;
    else if (e.status == "disposed") ++d.disposed;
    else ++d.not_required;
    d.items.push_back(std::move(e));
  }
  return d;
}

}  // namespace antq::projections
