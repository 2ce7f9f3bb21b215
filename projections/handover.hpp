// The hand-over of a unit's files to its agency archive (giao nộp hồ sơ vào Lưu trữ cơ quan: retention.md, "Archive
// hand-over and disposal"; Decree 30/2020/NĐ-CP art. 29-31): of the files the unit keeps whose work ended in a given
// year, those of a class handed over (the retention schedule's rows say which: files kept 5 years or more), and
// why each other one stays. `antq handover` writes the list of files, the hand-over record and the BagIt bag from
// it; archive.transferred then records the hand-over in the ledger (retention.hpp judges it).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.hpp"
#include "projections/retention.hpp"

namespace antq::projections {

struct HandoverFile {
  FileFacts file;                          // subject (the file code), name, kind, unit, ended, transferred, holds
  RetentionRecord record;                  // the file's own retention record (class "file")
  std::vector<RetentionRecord> documents;  // its documents' records: each attachment, or an act that attaches none
  std::string title;                       // "Hồ sơ mô hình …", "Hồ sơ điểm mô hình …", "Hồ sơ điển hình …"
  std::string first_date, last_date;       // of its first and last act (YYYY-MM-DD)
  std::size_t acts = 0;                    // its documents in the archive's sense (văn bản): the acts of its chain
  std::size_t attachments = 0;             // documents with an attached file
  std::size_t disposed = 0;                // attached files destroyed by record.disposed
  std::size_t held_documents = 0;          // documents under a hold of their own
  // Why it is not handed over: empty (it is); "transferred" (handed over already: file.transferred), "held" (a
  // hold in force on the file: file.holds), "disposed" (every document destroyed), "kept" (not of a class handed
  // over: the unit keeps it until its disposal).
  std::string reason;
};

struct Handover {
  std::string unit, on;
  int year = 0;
  std::optional<ScheduleInForce> schedule;  // nullopt: the ledger holds no retention schedule (nothing else is set)
  std::vector<HandoverFile> files;          // to hand over, in subject id order: the list numbers them 1, 2, ...
  std::vector<HandoverFile> others;         // the unit's other files whose work ended in `year`, each with its reason
  // Files whose work ended in `year` that no unit keeps on record (keeper_of is empty: a subject whose first act
  // named no unit, which admission does not let happen today): no unit can hand them over.
  std::vector<FileFacts> unkept;
  std::vector<Hold> holds;                  // every hold of the ledger, for the dates and reasons of those named
  std::size_t unit_files = 0;               // files the unit keeps, whatever year their work ended (or not yet)
};

// The hand-over of `unit`'s files whose work ended in `year` (FileFacts.ended), judged on `on` (YYYY-MM-DD). The
// files of `unit` are those whose keeper `covers` accepts (`antq handover` passes the unit and the units under it in
// the registry, as `antq retention --unit` lists them); by default those kept under exactly that name.
Result<Handover> handover_of(const ledger::Ledger& ledger, const std::string& unit, int year, const std::string& on,
                             const std::function<bool(std::string_view keeper)>& covers = {});

}  // namespace antq::projections
