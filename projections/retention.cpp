#include "projections/retention.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "projections/query.hpp"

namespace antq::projections {
namespace {

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A row's period, compared: permanent outlasts any number of years, which outlasts until-superseded.
int weight(const RetentionRow& r) { return r.period == "permanent" ? 1000 : r.years ? *r.years : 0; }

std::string later(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return std::max(a.value_or(""), b.value_or(""));
}

}  // namespace

nlohmann::json RecordFacts::to_json() const {
  return {{"subject", subject}, {"act", act}, {"item", item}, {"date", date}, {"year", year},
          {"report_period", report_period}, {"level", level}, {"seq", seq}};
}

std::optional<RecordFacts> RecordFacts::from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  RecordFacts f;
  f.subject = j.value("subject", "");
  f.act = j.value("act", "");
  f.item = j.value("item", "");
  f.date = j.value("date", "");
  f.year = j.value("year", 0);
  f.report_period = j.value("report_period", "");
  f.level = j.value("level", "");
  f.seq = j.value("seq", std::uint64_t{0});
  return f;
}

RecordFacts record_facts(const ledger::Act& act, std::uint64_t seq, const std::string& item) {
  RecordFacts f{act.subject, act.act, item, act.date, year_of(act.date), "", "", seq};
  if (act.data.contains("year") && act.data["year"].is_number_integer()) f.year = act.data["year"].get<int>();
  if (act.act == "model.report-filed" && act.data.contains("period") && act.data["period"].is_string()) {
    const std::string p = act.data["period"].get<std::string>();
    if (p == "adhoc") {
      f.report_period = "adhoc";
    } else {
      f.report_period = p.size() > 4 ? "half-year" : "year";
      f.year = year_of(p);
    }
  }
  if (act.act == "commendation.awarded" && act.data.contains("level") && act.data["level"].is_string())
    f.level = act.data["level"].get<std::string>();
  return f;
}

const RetentionRow& row_for(const RetentionSchedule& schedule, const RecordFacts& f) {
  for (const RetentionRow& r : schedule.rows) {
    if (!r.items.empty() && !listed(r.items, f.item)) continue;
    if (!r.acts.empty() && !listed(r.acts, f.act)) continue;
    if (auto m = r.match.find("period"); m != r.match.end() && !listed(m->second, f.report_period)) continue;
    if (auto m = r.match.find("level"); m != r.match.end() && !listed(m->second, f.level)) continue;
    return r;
  }
  return schedule.rows.back();  // parse_schedule: the last row matches every record
}

bool Hold::in_force(const std::string& on) const {
  if (!on.empty() && date > on) return false;
  return !released_by || (!on.empty() && released_on > on);
}

std::string keeper_of(const ledger::StateStore& state, const SubjectState& s) {
  if (!s.authority.unit.empty()) return s.authority.unit;
  return state.get(std::string(kKeeperPrefix) + s.id).value_or("");
}

FileFacts file_facts(const SubjectState& s, const std::optional<Transfer>& transfer, const std::vector<Hold>& holds,
                     const std::string& on, const std::string& keeper) {
  FileFacts f{s.id, s.name, s.kind, keeper, std::nullopt, std::nullopt, {}};
  for (const char* end : {"model.terminated", "model.merged", "exemplar.ended"})
    if (s.closed() && s.has(end)) f.ended = s.acts.at(end).date;
  if (s.closed() && !f.ended) f.ended = s.last_date;
  if (transfer && transfer->date <= on) f.transferred = transfer;
  for (const Hold& h : holds)
    if (h.in_force(on) && listed(h.targets, s.id)) f.holds.push_back(h.seq);
  return f;
}

int year_of(std::string_view date) {
  int y = 0;
  std::from_chars(date.data(), date.data() + std::min<std::size_t>(4, date.size()), y);
  return y;
}

std::string year_end(int year) { return fmt::format("{:04}-12-31", year); }

nlohmann::json RetentionRecord::to_json() const {
  auto opt = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  auto seq_or_null = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"subject", subject},
          {"item", opt(item)},
          {"attachment", attachment ? nlohmann::json(to_hex(*attachment)) : nlohmann::json(nullptr)},
          {"class", cls},
          {"class_title", class_title.empty() ? nlohmann::json(nullptr) : nlohmann::json(class_title)},
          {"class_source", class_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(class_source)},
          {"period", period},
          {"period_years", years ? nlohmann::json(*years) : nlohmann::json(nullptr)},
          {"clock_start", opt(clock_start)},
          {"due", opt(due)},
          {"due_kind", due_kind.empty() ? nlohmann::json(nullptr) : nlohmann::json(due_kind)},
          {"status", status},
          {"provisional", provisional},
          {"holds", holds},
          {"unit", unit},
          {"seq", seq_or_null(seq)},
          {"act", act.empty() ? nlohmann::json(nullptr) : nlohmann::json(act)},
          {"date", date.empty() ? nlohmann::json(nullptr) : nlohmann::json(date)},
          {"number", number.empty() ? nlohmann::json(nullptr) : nlohmann::json(number)},
          {"disposed_by", seq_or_null(disposed_by)},
          {"transferred_by", seq_or_null(transferred_by)},
          {"title", title},
          {"file", cls == "file" ? nlohmann::json{{"code", subject}, {"title", title}, {"creator", unit},
                                                  {"language", "vi"}, {"start", start.empty() ? nlohmann::json(nullptr) : nlohmann::json(start)},
                                                  {"end", end.empty() ? nlohmann::json(nullptr) : nlohmann::json(end)},
                                                  {"documents", documents}}
                                 : nlohmann::json(nullptr)}};
}

RetentionRecord judge_document(const RetentionRow& row, const RecordFacts& facts, const FileFacts& file,
                               const std::optional<Disposal>& disposal, const std::vector<std::uint64_t>& holds,
                               const std::string& on) {
  RetentionRecord r;
  r.subject = facts.subject;
  r.item = facts.item.empty() ? std::nullopt : std::optional<std::string>(facts.item);
  r.cls = row.cls;
  r.class_title = row.title;
  r.class_source = row.source;
  r.period = row.period;
  r.years = row.years;
  r.provisional = row.provisional;
  r.seq = facts.seq;
  r.act = facts.act;
  r.date = facts.date;
  r.unit = file.unit;
  r.holds = file.holds;
  r.holds.insert(r.holds.end(), holds.begin(), holds.end());
  if (file.transferred) r.transferred_by = file.transferred->seq;

  // The clock: from the end of the year the file's work ended, or of the record's own year; a document that lasts
  // until superseded runs out when its file closes.
  std::optional<int> start_year;
  if (row.clock == "year" && row.period != "until-superseded") start_year = facts.year;
  else if (file.ended) start_year = year_of(*file.ended);
  if (start_year && year_end(*start_year) >= on) start_year.reset();  // the year is not over
  if (start_year) r.clock_start = year_end(*start_year);
  std::optional<std::string> disposal_due;
  if (start_year && row.years) disposal_due = year_end(*start_year + *row.years);
  if (start_year && row.period == "until-superseded") disposal_due = r.clock_start;
  std::optional<std::string> handover_due;
  if (row.handover && file.ended) handover_due = year_end(year_of(*file.ended) + 1);

  auto set_due = [&](const std::optional<std::string>& due, const char* kind) {
    r.due = due;
    r.due_kind = due ? kind : "";
  };
  if (handover_due && !file.transferred && !(disposal_due && on > *disposal_due)) set_due(handover_due, "handover");
  else set_due(disposal_due, "disposal");

  if (disposal && disposal->date <= on) {
    r.status = "disposed";
    r.disposed_by = disposal->seq;
  } else if (!r.holds.empty()) {
    r.status = "held";
  } else if (!start_year) {
    r.status = "open";
  } else if (disposal_due && on > *disposal_due) {
    r.status = "disposal-eligible";
  } else if (row.handover && file.ended) {
    if (file.transferred) r.status = "transferred";
    else if (on > *handover_due) r.status = "handover-overdue";
    else if (on >= handover_due->substr(0, 4) + "-12-01") r.status = "handover-due";  // 30 days before 31 December
    else r.status = "retained";
  } else {
    r.status = "retained";
  }
  return r;
}

RetentionRecord judge_file(const FileFacts& file, const std::vector<RetentionRecord>& documents,
                           const RetentionRow& fallback, const std::string& on) {
  RetentionRecord r;
  r.subject = file.subject;
  r.cls = "file";
  r.unit = file.unit;
  r.holds = file.holds;
  r.title = file.name;
  if (file.transferred) r.transferred_by = file.transferred->seq;
  // The file lasts as long as its longest-kept document.
  const RetentionRow* longest = &fallback;
  RetentionRow from_documents;
  bool handover = documents.empty() ? fallback.handover : false, any = false;
  std::optional<std::string> latest_disposal;
  for (const RetentionRecord& d : documents) {
    RetentionRow row;
    row.period = d.period;
    row.years = d.years;
    if (!any || weight(row) > weight(from_documents)) from_documents = row;
    any = true;
    r.provisional = r.provisional || d.provisional;
    if (d.due_kind == "handover") handover = true;
    if (d.due_kind == "disposal") latest_disposal = later(latest_disposal, d.due);
  }
  if (any) longest = &from_documents;
  std::set<std::uint64_t> acts;
  for (const RetentionRecord& d : documents) {
    if (d.seq) acts.insert(*d.seq);
    if (!d.date.empty() && (r.start.empty() || d.date < r.start)) r.start = d.date;
    r.end = std::max(r.end, d.date);
  }
  r.documents = acts.size();
  if (!documents.empty()) r.provisional = std::any_of(documents.begin(), documents.end(), [](const auto& d) { return d.provisional; });
  else r.provisional = fallback.provisional;
  r.period = longest->period;
  r.years = longest->years;
  std::optional<int> ended_year;
  if (file.ended && year_end(year_of(*file.ended)) < on) ended_year = year_of(*file.ended);
  if (ended_year) r.clock_start = year_end(*ended_year);
  const bool all_disposed = !documents.empty() && std::all_of(documents.begin(), documents.end(),
                                                              [](const auto& d) { return d.status == "disposed"; });
  const bool all_eligible = !documents.empty() && std::all_of(documents.begin(), documents.end(), [](const auto& d) {
    return d.status == "disposed" || d.status == "disposal-eligible";
  });
  // A file handed over is due a year after its work ended; documents of a handed-over class that are not yet
  // transferred say so too.
  handover = handover || std::any_of(documents.begin(), documents.end(), [](const auto& d) {
    return d.status == "transferred" || d.status == "handover-due" || d.status == "handover-overdue";
  });
  std::optional<std::string> handover_due;
  if (file.ended) handover_due = year_end(year_of(*file.ended) + 1);
  if (handover && handover_due) {
    r.due = handover_due;
    r.due_kind = "handover";
  } else if (latest_disposal && file.ended) {
    r.due = latest_disposal;
    r.due_kind = "disposal";
  }

  if (all_disposed) r.status = "disposed";
  else if (!r.holds.empty()) r.status = "held";
  else if (!file.ended) r.status = "open";
  else if (file.transferred) r.status = "transferred";
  else if (all_eligible) r.status = "disposal-eligible";
  else if (handover && on > *handover_due) r.status = "handover-overdue";
  else if (handover && on >= handover_due->substr(0, 4) + "-12-01") r.status = "handover-due";
  else r.status = "retained";
  return r;
}

std::optional<RecordFacts> indexed_record(const ledger::StateStore& state, const Digest& document) {
  auto text = state.get(std::string(kRecordPrefix) + to_hex(document));
  if (!text) return std::nullopt;
  return RecordFacts::from_json(nlohmann::json::parse(*text, nullptr, false));
}

std::vector<Hold> holds_of(const ledger::StateStore& state) {
  std::vector<Hold> out;
  auto text = state.get(kHoldsKey);
  if (!text) return out;
  auto list = nlohmann::json::parse(*text, nullptr, false);
  if (!list.is_array()) return out;  // written only by the admission; verify compares the state with its replay
  for (const auto& h : list) {
    Hold hold{h.value("seq", std::uint64_t{0}), h.value("date", ""), h.value("reason", ""), {}, std::nullopt,
              h.value("released_on", "")};
    if (h.contains("targets") && h["targets"].is_array())
      for (const auto& t : h["targets"]) if (t.is_string()) hold.targets.push_back(t.get<std::string>());
    if (h.contains("released_by") && h["released_by"].is_number_unsigned()) hold.released_by = h["released_by"].get<std::uint64_t>();
    out.push_back(std::move(hold));
  }
  return out;
}

std::optional<Transfer> transfer_of(const ledger::StateStore& state, const std::string& subject) {
  auto text = state.get(std::string(kTransferPrefix) + subject);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return Transfer{j.value("seq", std::uint64_t{0}), j.value("date", ""), j.value("archive", ""), j.value("number", "")};
}

std::vector<AdoptedSchedule> adopted_schedules(const ledger::StateStore& state) {
  return adopted_files(state, kSchedulesKey, "schedule");
}

Result<std::optional<ScheduleInForce>> schedule_on(const ledger::Ledger& ledger, const std::string& date) {
  auto profile = profile_on(ledger, date);
  if (!profile) return std::unexpected(profile.error());
  const std::optional<AdoptedSchedule> last = adopted_on(adopted_schedules(LedgerState(ledger)), date);
  if (!last) {
    if (!profile->retention) return std::optional<ScheduleInForce>();
    return std::optional<ScheduleInForce>(ScheduleInForce{*profile->retention, std::nullopt, profile->id});
  }
  auto text = ledger.attachment(last->file);
  if (!text)
    return corruption(
        i18n::Text("retention schedule {} adopted by entry {}: its file is not held", last->id, last->seq));
  auto s = parse_schedule(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), last->id);
  if (!s) return corruption(text_of(s.error()));
  return std::optional<ScheduleInForce>(ScheduleInForce{std::move(*s), last->seq, profile->id});
}

std::vector<RetentionRecord> file_records(const ledger::StateStore& state, const RetentionSchedule& sc,
                                          const std::vector<Hold>& holds, const FileFacts& file,
                                          const std::vector<ChainLink>& acts, const std::string& on) {
  std::vector<RetentionRecord> documents;
  for (const ChainLink& l : acts) {
    auto add = [&](const std::string& item, const std::optional<Digest>& digest) {
      const RecordFacts facts = record_facts(l.act, l.entry.seq, item);
      std::vector<std::uint64_t> on_document;
      std::optional<Disposal> disposal;
      if (digest) {
        for (const Hold& h : holds)
          if (h.in_force(on) && listed(h.targets, to_hex(*digest))) on_document.push_back(h.seq);
        disposal = disposal_of(state, *digest);
      }
      RetentionRecord r = judge_document(row_for(sc, facts), facts, file, disposal, on_document, on);
      r.attachment = digest;
      r.number = l.act.document.number;
      r.title = l.act.document.title;
      documents.push_back(std::move(r));
    };
    if (l.act.attachments.empty()) add("", std::nullopt);
    for (const auto& a : l.act.attachments) add(a.item, a.sha256);
  }
  std::vector<RetentionRecord> out{judge_file(file, documents, sc.rows.back(), on)};
  out.insert(out.end(), std::make_move_iterator(documents.begin()), std::make_move_iterator(documents.end()));
  return out;
}

Result<RetentionListing> retention_listing(const ledger::Ledger& ledger, const std::string& on,
                                           const std::optional<std::string>& unit) {
  return retention_listing(ledger, on, [&](const FileFacts& f) { return !unit || f.unit == *unit; });
}

Result<RetentionListing> retention_listing(const ledger::Ledger& ledger, const std::string& on, const FileFilter& keep) {
  RetentionListing out{on, std::nullopt, {}, {}};
  auto schedule = schedule_on(ledger, on);
  if (!schedule) return std::unexpected(schedule.error());
  out.schedule = std::move(*schedule);
  if (!out.schedule) return out;
  const RetentionSchedule& sc = out.schedule->schedule;
  const LedgerState state(ledger);
  const std::vector<Hold> holds = holds_of(state);
  std::vector<std::string> ids;
  ledger.for_each_state("subject/", [&](std::string_view key, std::string_view) { ids.emplace_back(key.substr(8)); });
  SubjectReader reader(ledger);
  const AsOf at{on, std::nullopt};
  for (const std::string& id : ids) {
    auto read = reader.state_with_acts(id, at);
    if (!read) return std::unexpected(read.error());
    if (!read->state) continue;  // no act by then
    const FileFacts file = file_facts(*read->state, transfer_of(state, id), holds, on, keeper_of(state, *read->state));
    if (!keep(file)) continue;
    auto records = file_records(state, sc, holds, file, read->acts, on);
    out.records.insert(out.records.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
    out.files.push_back(file);
  }
  return out;
}

}  // namespace antq::projections
