// Records and archives (retention.md): the schedule the ledger holds decides, not today's date — a listing item by
// item, disposals refused before their due date and under a hold (nothing written), a lawful disposal that removes
// the bytes while verify, bundles and the dossier still hold, and hand-over of a closed file. Under two profiles
// whose dossier lists differ (the Ministry baseline of Hòa Bình, Bắc Giang's three-step procedure).
#include "projections/retention.hpp"

#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ledger/bundle.hpp"
#include "projections/audit.hpp"
#include "projections/dossier.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::make_act;
using test::require_ok;
using test::TestLedger;

// An act carrying one document with the given text (unique bytes a test then looks for), filed under `item`.
json with_document(TestLedger& t, json act, const std::string& item, const std::string& text) {
  const auto file = t.tmp / fmt::format("doc-{}.txt", sha256(as_bytes(text))[0]);
  test::write_file(file, text);
  act["attachments"] = json::array({{{"item", item}, {"media_type", "text/plain"}, {"path", file.string()}}});
  return act;
}

std::string hex_of(const std::string& text) { return to_hex(sha256(as_bytes(text))); }

// A records act of the commune that keeps the files (record.disposed, archive.transferred are its decisions).
json records_act(const std::string& kind, const std::string& date, json data) {
  json a = make_act(kind, "ledger", date, std::move(data));
  a["document"] = {{"number", "5/QĐ-UBND"}, {"title", "Quyết định " + kind}, {"issuer", "UBND xã Tân Lập"}};
  return a;
}

const RetentionRecord& record_of(const RetentionListing& l, const std::string& subject,
                                 const std::optional<std::string>& attachment) {
  for (const auto& r : l.records)
    if (r.subject == subject && (attachment ? r.attachment && to_hex(*r.attachment) == *attachment : r.cls == "file"))
      return r;
  FAIL("no record of " << subject << " " << attachment.value_or("(file)"));
  throw;
}

RetentionListing listing(const TestLedger& t, const std::string& on) {
  auto l = retention_listing(*t.ledger, on);
  if (!l) FAIL(l.error().line());
  return *l;
}

struct Case {
  const char* profile;
  std::vector<std::string> steps;      // before model.established
  std::vector<std::string> ending;     // before model.terminated
  const char* establishment_item;
  const char* commendation_item;  // Bắc Giang's list has none: a code outside it, which the dossier leaves aside
  const char* report_item;
};

const Case kCases[] = {
    {"hoa-binh-2023", test::kBaselineSteps, {"model.termination-reported", "model.termination-consulted"}, "6", "13", "10"},
    {"bac-giang-2020", {"model.proposed", "model.consulted"}, {"model.termination-reported"}, "4", "KT", "9"},
};

TEST_CASE("Retention under two profiles: listing, refused disposals, a lawful one that destroys, hand-over", "[retention]") {
  for (const Case& k : kCases) {
    DYNAMIC_SECTION(k.profile) {
      TestLedger t(k.profile, "p256");
      t.bind_commune_from("2008-01-01");
      const std::string establishment = std::string("Quyết định thành lập M-1, bản duy nhất ") + k.profile;
      const std::string commendation = std::string("Giấy khen năm 2010 của UBND xã, nội dung riêng ") + k.profile;
      const std::string commendation2 = std::string("Giấy khen năm 2011, bị phong tỏa ") + k.profile;
      const std::string adhoc = std::string("Báo cáo đột xuất năm 2020 ") + k.profile;
      int day = 1;
      for (const auto& step : k.steps)
        t.admit(make_act(step, "M-1", fmt::format("2009-01-{:02}", day++),
                         step == "model.proposed" ? json{{"name", "Tổ tự quản"}, {"type", "self-managed"}} : json::object()));
      t.admit(with_document(t, make_act("model.established", "M-1", "2009-03-01",
                                        {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 3}}),
                            k.establishment_item, establishment));
      // A commune's commendation: 10 years from the end of its year (provisional row commendation-local).
      t.admit(with_document(t, make_act("commendation.awarded", "M-1", "2010-12-20",
                                        {{"form", "giay-khen"}, {"level", "commune"}, {"to", "model"}, {"year", 2010}}),
                            k.commendation_item, commendation));
      t.admit(with_document(t, make_act("commendation.awarded", "M-1", "2011-12-20",
                                        {{"form", "giay-khen"}, {"level", "commune"}, {"to", "model"}, {"year", 2011}}),
                            k.commendation_item, commendation2));
      t.admit(with_document(t, make_act("model.report-filed", "M-1", "2020-06-01", {{"period", "adhoc"}}), k.report_item, adhoc));
      // A second model whose work goes on.
      day = 1;
      for (const auto& step : k.steps)
        t.admit(make_act(step, "M-2", fmt::format("2021-01-{:02}", day++),
                         step == "model.proposed" ? json{{"name", "Tổ khác"}, {"type", "self-managed"}} : json::object()));
      t.admit(make_act("model.established", "M-2", "2021-03-01", {{"name", "Tổ khác"}, {"type", "self-managed"}, {"teams", 2}}));

      // The listing, item by item, on 15 December 2026: the schedule's clock, not today's date.
      RetentionListing l = listing(t, "2026-12-15");
      REQUIRE(l.schedule);
      CHECK(l.schedule->schedule.id == std::string("provisional-") + k.profile);
      const RetentionRecord& est = record_of(l, "M-1", hex_of(establishment));
      CHECK(est.cls == "establishment");
      CHECK(est.period == "permanent");
      CHECK(est.status == "open");  // the work of M-1 goes on: its clock has not started
      CHECK(est.provisional);
      const RetentionRecord& c1 = record_of(l, "M-1", hex_of(commendation));
      CHECK(c1.cls == "commendation-local");
      CHECK(c1.years == 10);
      CHECK(c1.clock_start == "2010-12-31");
      CHECK(c1.due == "2020-12-31");
      CHECK(c1.status == "disposal-eligible");
      {
        auto findings = audit(*t.ledger, "2026-12-15", AsOf{"2026-12-15", std::nullopt});
        require_ok(findings);
        std::size_t eligible = 0;
        for (const auto& f : *findings) eligible += f.rule == "disposal-eligible" && f.subject == "M-1";
        CHECK(eligible == 2);  // the two commendations; not the report of 2020, not the permanent decision
      }
      const RetentionRecord& rep = record_of(l, "M-1", hex_of(adhoc));
      CHECK(rep.cls == "report-adhoc");
      CHECK(rep.due == "2030-12-31");
      CHECK(rep.status == "retained");
      CHECK(record_of(l, "M-1", std::nullopt).status == "open");
      CHECK(record_of(l, "M-2", std::nullopt).status == "open");
      // The same commendation in 2019 was kept, not yet due.
      CHECK(record_of(listing(t, "2019-06-01"), "M-1", hex_of(commendation)).status == "retained");

      // Refused disposals write nothing: before the due date, a permanent record, under a hold, an unknown document.
      const std::string before = t.data_bytes();
      auto early = t.record(records_act("record.disposed", "2026-01-10", {{"attachments", json::array({hex_of(adhoc)})}}));
      REQUIRE_FALSE(early);
      CHECK(early.error().line().starts_with("refused [retention]"));
      CHECK_THAT(early.error().message, Catch::Contains("2030-12-31"));
      auto permanent = t.record(records_act("record.disposed", "2026-01-10", {{"attachments", json::array({hex_of(establishment)})}}));
      REQUIRE_FALSE(permanent);
      CHECK_THAT(permanent.error().message, Catch::Contains("permanently"));
      auto unknown = t.record(records_act("record.disposed", "2026-01-10", {{"attachments", json::array({std::string(64, 'b')})}}));
      REQUIRE_FALSE(unknown);
      CHECK(unknown.error().line().starts_with("refused [unknown-subject]"));
      auto unknown_hold = t.append({test::sign(records_act("record.held", "2026-01-09", {{"targets", json::array({"M-404"})}}), t.admin)});
      REQUIRE_FALSE(unknown_hold);
      CHECK(unknown_hold.error().line().starts_with("refused [unknown-subject]"));
      CHECK(t.data_bytes() == before);

      auto hold = t.append({test::sign(records_act("record.held", "2026-01-09",
                                                   {{"targets", json::array({hex_of(commendation2)})}, {"reason", "thanh tra"}}),
                                       t.admin)});
      require_ok(hold);
      const std::string held_bytes = t.data_bytes();
      auto under_hold = t.record(records_act("record.disposed", "2026-01-10", {{"attachments", json::array({hex_of(commendation2)})}}));
      REQUIRE_FALSE(under_hold);
      CHECK(under_hold.error().line().starts_with("refused [hold]"));
      CHECK_THAT(under_hold.error().message, Catch::Contains(fmt::format("entry {}", hold->front())));
      CHECK(t.data_bytes() == held_bytes);
      CHECK(record_of(listing(t, "2026-12-15"), "M-1", hex_of(commendation2)).status == "held");
      // Only the unit that keeps the file decides: the administrator alone is refused.
      auto by_admin = t.append({test::sign(records_act("record.disposed", "2026-01-10",
                                                       {{"attachments", json::array({hex_of(commendation)})}}), t.admin)});
      REQUIRE_FALSE(by_admin);
      CHECK(by_admin.error().line().starts_with("refused [authority]"));

      // The lawful disposal: the bytes leave the store in the same transaction.
      auto disposed = t.record(records_act("record.disposed", "2026-01-10",
                                           {{"attachments", json::array({hex_of(commendation)})}, {"reason", "hết thời hạn"}}));
      require_ok(disposed);
      CHECK_FALSE(t.ledger->attachment(sha256(as_bytes(commendation))).has_value());
      CHECK(t.ledger->attachment(sha256(as_bytes(adhoc))).has_value());
      std::string dump;
      REQUIRE(test::run("mdb_dump -a -p " + test::quote(t.dir()), &dump) == 0);
      std::string dump_hex;
      REQUIRE(test::run("mdb_dump -a " + test::quote(t.dir()), &dump_hex) == 0);
      CHECK(dump.find("Giấy khen năm 2010") == std::string::npos);
      CHECK(dump_hex.find(to_hex(as_bytes(std::string("nội dung riêng")))) == std::string::npos);
      CHECK(dump_hex.find(to_hex(as_bytes(std::string("Báo cáo đột xuất")))) != std::string::npos);  // the search finds what is there
      // A byte-level read of data.mdb may still find them in pages LMDB freed; antq compact rewrites the file with
      // its live pages only, after which it finds none.
      const std::string unique = "nội dung riêng";
      t.ledger.reset();
      require_ok(ledger::Ledger::compact(t.dir()));
      CHECK(t.data_bytes().find(unique) == std::string::npos);
      CHECK(t.data_bytes().find("Báo cáo đột xuất") != std::string::npos);  // the search finds what is there
      t.reopen();
      RetentionListing after = listing(t, "2026-12-15");
      CHECK(record_of(after, "M-1", hex_of(commendation)).status == "disposed");
      CHECK(record_of(after, "M-1", hex_of(commendation)).disposed_by == disposed->front());
      // A disposed document does not come back.
      auto again = t.record(with_document(t, make_act("document.attached", "M-1", "2026-02-01"), k.commendation_item, commendation));
      REQUIRE_FALSE(again);
      CHECK(again.error().line().starts_with("refused [retention]"));

      auto report = t.verify();
      INFO((report.failures.empty() ? std::string() : report.failures.front().reason));
      CHECK(report.ok);

      // A bundle made after the disposal carries no content for it, says so, and verifies.
      const fs::path bundle = t.tmp / "bundle";
      require_ok(ledger::export_bundle(*t.ledger, bundle, {}));
      CHECK_FALSE(fs::exists(bundle / "attachments" / hex_of(commendation)));
      CHECK(fs::exists(bundle / "attachments" / hex_of(adhoc)));
      CHECK_THAT(test::read_file(bundle / "README.txt"),
                 Catch::Contains(fmt::format("{} disposed of by entry {}", hex_of(commendation), disposed->front())));
      ledger::BundleAnchors anchors;
      auto key = ledger::parse_verifier_key(t.ledger->info().verifier_key);
      require_ok(key);
      anchors.operator_key = *key;
      anchors.trust = std::vector<Bytes>{t.pki.root().certificate_der};
      auto checked = ledger::verify_bundle(bundle, anchors);
      require_ok(checked);
      INFO((checked->verify.failures.empty() ? std::string() : checked->verify.failures.front().reason));
      CHECK(checked->verify.ok);

      // The dossier shows the item disposed, counted neither present nor missing.
      auto d = dossier_of(*t.ledger, "M-1", {});
      require_ok(d);
      bool found = false;
      for (const auto& e : d->items)
        for (const auto& doc : e.documents)
          for (const auto& a : doc.attachments)
            if (a.sha256 == sha256(as_bytes(commendation))) {
              found = true;
              REQUIRE(a.disposal);
              CHECK(a.disposal->seq == disposed->front());
              CHECK(a.disposal->number == "5/QĐ-UBND");
              CHECK_FALSE(a.held);
            }
      CHECK(found == (std::string(k.commendation_item) != "KT"));  // Bắc Giang's list has no item for it

      // The hold lifted by its seq, the second commendation may go too.
      require_ok(t.append({test::sign(records_act("record.released", "2026-02-01",
                                                  {{"targets", json::array({hex_of(commendation2)})}, {"hold", hold->front()}}),
                                      t.admin)}));
      require_ok(t.record(records_act("record.disposed", "2026-02-02", {{"attachments", json::array({hex_of(commendation2)})}})));

      // Hand-over: refused while the work goes on, for an unknown subject; after the termination of 2024, overdue
      // at the start of 2026 (a year after the year the work ended), then transferred.
      auto open = t.record(records_act("archive.transferred", "2026-02-03", {{"subjects", json::array({"M-1"})}, {"archive", "Lưu trữ cơ quan"}}));
      REQUIRE_FALSE(open);
      CHECK(open.error().line().starts_with("refused [retention]"));
      auto nobody = t.record(records_act("archive.transferred", "2026-02-03", {{"subjects", json::array({"M-404"})}, {"archive", "Lưu trữ cơ quan"}}));
      REQUIRE_FALSE(nobody);
      CHECK(nobody.error().line().starts_with("refused [unknown-subject]"));
      for (const auto& step : k.ending) t.admit(make_act(step, "M-1", "2024-05-01", {{"reason", "giải thể"}}));
      t.admit(make_act("model.terminated", "M-1", "2024-06-01", {{"reason", "giải thể"}}));
      CHECK(record_of(listing(t, "2025-06-01"), "M-1", std::nullopt).status == "retained");
      CHECK(record_of(listing(t, "2025-12-15"), "M-1", std::nullopt).status == "handover-due");
      const RetentionRecord overdue = record_of(listing(t, "2026-03-01"), "M-1", std::nullopt);
      CHECK(overdue.status == "handover-overdue");
      CHECK(overdue.due == "2025-12-31");
      CHECK(record_of(listing(t, "2026-03-01"), "M-1", hex_of(establishment)).status == "handover-overdue");
      // The audit reports what is due (Decree 30/2020's warning 30 days before a hand-over, and the overdue one).
      auto rules_on = [&](const std::string& on) {
        std::set<std::string> rules;
        auto findings = audit(*t.ledger, on, AsOf{on, std::nullopt});
        require_ok(findings);
        for (const auto& f : *findings)
          if (f.subject == "M-1") rules.insert(f.rule);
        return rules;
      };
      CHECK(rules_on("2025-12-15").contains("handover-due"));
      CHECK(rules_on("2026-03-01").contains("handover-overdue"));
      CHECK_FALSE(rules_on("2025-06-01").contains("handover-due"));
      auto transferred = t.record(records_act("archive.transferred", "2026-03-02",
                                              {{"subjects", json::array({"M-1"})}, {"archive", "Lưu trữ cơ quan"}}));
      require_ok(transferred);
      CHECK(record_of(listing(t, "2026-03-05"), "M-1", std::nullopt).status == "transferred");
      CHECK(record_of(listing(t, "2026-03-05"), "M-1", hex_of(establishment)).status == "transferred");
      CHECK(t.ledger->attachment(sha256(as_bytes(establishment))).has_value());  // the digests and bytes stay
      auto twice = t.record(records_act("archive.transferred", "2026-03-06", {{"subjects", json::array({"M-1"})}, {"archive", "Lưu trữ cơ quan"}}));
      REQUIRE_FALSE(twice);
      CHECK(twice.error().line().starts_with("refused [retention]"));
      CHECK(t.verify().ok);
    }
  }
}

TEST_CASE("A schedule adopted by the administrator replaces the profile's from its effective date", "[retention]") {
  TestLedger t("hoa-binh-2023", "p256");
  t.bind_commune_from("2008-01-01");
  const json schedule = {
      {"format", "antq-retention-schedule 1"},
      {"id", "official-2027"},
      {"title", "Bảng thời hạn bảo quản (thử)"},
      {"rows", json::array({{{"class", "everything"}, {"title", "Mọi tài liệu"}, {"items", json::array()},
                             {"acts", json::array()}, {"match", json::object()}, {"period", 5}, {"clock", "year"},
                             {"handover", false}, {"source", "test schedule"}, {"provisional", false}}})}};
  const fs::path file = t.tmp / "schedule.json";
  test::write_file(file, schedule.dump());
  json adopt = make_act("retention.schedule-adopted", "ledger", "2026-01-01", {{"schedule", "official-2027"}, {"effective", "2027-01-01"}});
  adopt.erase("authority");
  adopt["attachments"] = json::array({json{{"item", "schedule"}, {"media_type", "application/json"}, {"path", file.string()}}});
  require_ok(t.append({test::sign(adopt, t.admin)}));
  for (const auto& step : test::kBaselineSteps)
    t.admit(make_act(step, "M-1", "2015-01-05", step == "model.proposed" ? json{{"name", "Tổ"}, {"type", "self-managed"}} : json::object()));
  t.admit(make_act("model.established", "M-1", "2015-03-01", {{"name", "Tổ"}, {"type", "self-managed"}, {"teams", 1}}));
  RetentionListing in_2026 = listing(t, "2026-06-01");
  CHECK(in_2026.schedule->schedule.id == "provisional-hoa-binh-2023");
  CHECK_FALSE(in_2026.schedule->adopted_by);
  RetentionListing in_2027 = listing(t, "2027-06-01");
  CHECK(in_2027.schedule->schedule.id == "official-2027");
  const RetentionRecord& est = in_2027.records.at(in_2027.records.size() - 1);
  CHECK(est.cls == "everything");
  CHECK_FALSE(est.provisional);
  CHECK(est.status == "disposal-eligible");  // 2015 + 5 years, under the adopted schedule
  CHECK(t.verify().ok);
}

TEST_CASE("Schedule files are checked: the last row must match every record", "[retention]") {
  auto bad = parse_schedule(R"({"format": "antq-retention-schedule 1", "id": "x", "title": "x", "rows": [
      {"class": "a", "title": "a", "items": ["6"], "acts": [], "match": {}, "period": 10, "clock": "year",
       "handover": true, "source": "s", "provisional": true}]})", "x.json");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("the last row must match every record"));
  for (const auto& id : builtin_profile_ids()) {
    INFO(id);
    auto p = builtin_profile(id);
    REQUIRE(p);
    REQUIRE((*p)->retention);
    for (const auto& row : (*p)->retention->rows) CHECK(row.provisional);  // nothing claims an official text yet
  }
}

}  // namespace
}  // namespace antq::projections
