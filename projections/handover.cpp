#include "projections/handover.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "projections/query.hpp"

namespace antq::projections {
namespace {

std::string title_of(const FileFacts& f) {
  const char* what = f.kind == "exemplar" ? "Hồ sơ điển hình " : f.kind == "point" ? "Hồ sơ điểm mô hình "
                                                                                     : "Hồ sơ mô hình ";
  return what + f.name;
}

// The retention listing's records hold a file's record, then its documents' (judge_file's record has no entry).
HandoverFile gather(FileFacts file, const RetentionRecord& record, std::vector<RetentionRecord> documents) {
  HandoverFile h;
  h.title = title_of(file);
  std::set<std::uint64_t> acts;
  for (const RetentionRecord& d : documents) {
    if (d.seq) acts.insert(*d.seq);
    if (!d.date.empty() && (h.first_date.empty() || d.date < h.first_date)) h.first_date = d.date;
    if (d.date > h.last_date) h.last_date = d.date;
    if (d.attachment) ++h.attachments;
    if (d.status == "disposed") ++h.disposed;
    if (d.holds.size() > file.holds.size()) ++h.held_documents;
  }
  h.acts = acts.size();
  const bool handover_class = record.due_kind == "handover" || record.status == "transferred" ||
                              record.status == "handover-due" || record.status == "handover-overdue";
  if (file.transferred) h.reason = "transferred";
  else if (!handover_class) h.reason = "kept";
  else if (record.status == "disposed") h.reason = "disposed";
  else if (record.status == "held") h.reason = "held";
  h.file = std::move(file);
  h.record = record;
  h.documents = std::move(documents);
  return h;
}

}  // namespace

Result<Handover> handover_of(const ledger::Ledger& ledger, const std::string& unit, int year, const std::string& on,
                             const std::function<bool(std::string_view keeper)>& covers) {
  Handover out;
  out.unit = unit;
  out.year = year;
  out.on = on;
  auto kept = [&](const std::string& keeper) { return covers ? !keeper.empty() && covers(keeper) : keeper == unit; };
  auto listing = retention_listing(ledger, on, [&](const FileFacts& f) {
    const bool ours = kept(f.unit);
    if (ours) ++out.unit_files;
    if (!f.ended || year_of(*f.ended) != year) return false;
    if (f.unit.empty()) out.unkept.push_back(f);
    return ours;
  });
  if (!listing) return std::unexpected(listing.error());
  out.schedule = std::move(listing->schedule);
  if (!out.schedule) return out;
  out.holds = holds_of(LedgerState(ledger));

  const auto& records = listing->records;
  std::size_t next_file = 0;
  for (std::size_t i = 0; i < records.size();) {
    std::size_t end = i + 1;
    while (end < records.size() && records[end].seq) ++end;
    HandoverFile h = gather(listing->files.at(next_file++), records[i],
                            std::vector<RetentionRecord>(records.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                                         records.begin() + static_cast<std::ptrdiff_t>(end)));
    (h.reason.empty() ? out.files : out.others).push_back(std::move(h));
    i = end;
  }
  return out;
}

}  // namespace antq::projections
