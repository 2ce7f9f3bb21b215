// antq take-in: a merged province's ledger takes in its predecessor (ledger/FORMAT.md §14). Hòa Bình (a ledger made
// before issue 21: its stored profile is the frozen format-1 file) is taken into Phú Thọ (the Ministry baseline, a
// format-2 profile: no seed for Phú Thọ yet) on 1 July 2025.
#include <fmt/format.h>
#include <lmdb.h>

#include <catch2/catch.hpp>

#include "cli/predecessor.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/merkle.hpp"
#include "support.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::kAntq;
using test::quote;
using test::run;
using test::TestLedger;

// Hòa Bình's ledger up to 30 June 2025, and Phú Thọ's, each with its own PKI, administrator and operator key.
struct Provinces {
  TestLedger hb{"hoa-binh-2023", "p256", test::StoredProfile::format1};
  TestLedger pt{"bca-22-2022", "p256"};
  Provinces() {
    hb.found("M-1", "2025-06-20", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 2}});
    hb.admit(test::make_act("survey.plan-approved", "M-2", "2025-06-30"));
  }
  // antq take-in of hb into pt, as the administrator of pt signs it; exit status, output in `out`.
  int take_in(std::string* out, const std::string& prefix = "HB", const std::string& predecessor = "",
              const std::string& effective = "2025-07-01") {
    test::OperatorKeyVariable key(pt.operator_key_file());
    return run(fmt::format("{} take-in {} {} --prefix '{}' --effective {} --admin {}:{}", kAntq, quote(pt.dir()),
                           quote(predecessor.empty() ? hb.dir() : fs::path(predecessor)), prefix, effective,
                           pt.admin.files.key, pt.admin.files.cert),
               out);
  }
  // antq carry-over of part HB into pt with `options`, signed by pt's administrator.
  int carry_over(const std::string& options, std::string* out) {
    test::OperatorKeyVariable key(pt.operator_key_file());
    return run(fmt::format("{} carry-over {} --part HB {} --admin {}:{}", kAntq, quote(pt.dir()), options,
                           pt.admin.files.key, pt.admin.files.cert),
               out);
  }
};

TEST_CASE("take-in seals Hòa Bình into Phú Thọ: verify checks the part as a nested ledger", "[take-in]") {
  Provinces p;
  // A proof the old operator gave before the merger, and its final checkpoint.
  std::string old_proof, old_consistency;
  REQUIRE(run(fmt::format("{} proof inclusion {} 3 --json", kAntq, quote(p.hb.dir())), &old_proof) == 0);
  REQUIRE(run(fmt::format("{} proof consistency {} 4 {} --json", kAntq, quote(p.hb.dir()), p.hb.ledger->size()),
              &old_consistency) == 0);
  const std::string final_note = p.hb.ledger->checkpoint();
  const std::uint64_t old_size = p.hb.ledger->size();

  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("sealed as part HB, effective 2025-07-01"));
  REQUIRE(run(fmt::format("{} verify {}", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK_THAT(out, Catch::Contains("sealed part  HB: antq-ledger/ledger (10 entries"));
  CHECK_THAT(out, Catch::Contains("verifies as a ledger under its own profile"));
  REQUIRE(run(fmt::format("{} verify {} --json 2>/dev/null", kAntq, quote(p.pt.dir())), &out) == 0);
  const json verified = json::parse(out.substr(out.find('{')));
  REQUIRE(verified["sealed_parts"].size() == 1);
  CHECK(verified["sealed_parts"][0]["prefix"] == "HB");
  CHECK(verified["sealed_parts"][0]["size"] == p.hb.ledger->size());
  CHECK(verified["sealed_parts"][0]["ok"] == true);

  // The act recorded the predecessor's size and root; the state records the part.
  p.pt.reopen();
  auto record = p.pt.ledger->state_value("predecessors/HB");
  REQUIRE(record);
  const json facts = json::parse(*record);
  CHECK(facts["size"] == old_size);
  CHECK(facts["effective"] == "2025-07-01");
  CHECK(facts["root"] == to_hex(p.hb.ledger->root(old_size)));
  auto parts = verify_sealed_parts(*p.pt.ledger);
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].ok());

  // Every proof the old operator gave still checks: the part makes the same one, and it verifies against the
  // predecessor's final checkpoint.
  std::string new_proof;
  REQUIRE(run(fmt::format("{} proof inclusion {} --part HB 3 --json", kAntq, quote(p.pt.dir())), &new_proof) == 0);
  CHECK(json::parse(new_proof) == json::parse(old_proof));
  REQUIRE(run(fmt::format("{} proof consistency {} --part HB 4 {} --json", kAntq, quote(p.pt.dir()), old_size),
              &new_proof) == 0);
  CHECK(json::parse(new_proof) == json::parse(old_consistency));
  CHECK(run(fmt::format("{} proof inclusion {} --part XY 3", kAntq, quote(p.pt.dir())), &out) == 2);
  auto vkey = ledger::parse_verifier_key(p.hb.ledger->info().verifier_key);
  REQUIRE(vkey);
  auto checkpoint = ledger::open_checkpoint(final_note, *vkey);
  REQUIRE(checkpoint);
  const json proof = json::parse(old_proof);
  std::vector<Digest> path;
  for (const auto& h : proof["proof"]) path.push_back(*digest_from_hex(h.get<std::string>()));
  CHECK(ledger::verify_inclusion(3, checkpoint->size, *digest_from_hex(proof["leaf_hash"].get<std::string>()), path,
                                 checkpoint->root));
  CHECK(to_hex(checkpoint->root) == facts["root"].get<std::string>());

  // Hòa Bình's model reads as HB.M-1 in Phú Thọ's ledger, from the part, as of a day before the merger.
  REQUIRE(run(fmt::format("{} show {} HB.M-1 --as-of 2025-06-25 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  const json shown = json::parse(out);
  CHECK(shown["subject"] == "HB.M-1");
  CHECK(shown["part"] == "HB");
  CHECK(shown["stage"] == "established");
  REQUIRE(run(fmt::format("{} history {} HB.M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["acts"].size() == 7);
  CHECK(run(fmt::format("{} show {} HB.M-9", kAntq, quote(p.pt.dir())), &out) == 2);
}

TEST_CASE("take-in: a tampered byte of the sealed part fails verify", "[take-in][tamper]") {
  Provinces p;
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  p.pt.ledger.reset();
  p.pt.admission.reset();
  // Entry 3 of the part, one byte flipped, through LMDB directly.
  test::edit_database(p.pt.dir(), "sealed", [&](MDB_txn* txn, MDB_dbi dbi) {
    std::string key = std::string("HB") + '\0' + "entries" + '\0' + std::string("\0\0\0\0\0\0\0\x03", 8);
    MDB_val k{key.size(), key.data()}, v;
    REQUIRE(mdb_get(txn, dbi, &k, &v) == 0);
    std::string bytes(static_cast<char*>(v.mv_data), v.mv_size);
    bytes[bytes.size() / 2] ^= 0x01;
    MDB_val changed{bytes.size(), bytes.data()};
    REQUIRE(mdb_put(txn, dbi, &k, &changed, 0) == 0);
  });
  CHECK(run(fmt::format("{} verify {}", kAntq, quote(p.pt.dir())), &out) == 1);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("sealed part HB"));
  CHECK_THAT(out, Catch::Contains("FAILED"));
}

TEST_CASE("take-in refusals: prefix taken or malformed, bad predecessor, nothing written", "[take-in][refusal]") {
  Provinces p;
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  const std::string before = p.pt.data_bytes();

  CHECK(p.take_in(&out, "HB") == 2);
  CHECK_THAT(out, Catch::Contains("refused [predecessor]"));
  CHECK_THAT(out, Catch::Contains("taken"));
  CHECK(p.pt.data_bytes() == before);

  CHECK(p.take_in(&out, "H.B") == 2);
  CHECK_THAT(out, Catch::Contains("refused [predecessor]"));
  CHECK(p.pt.data_bytes() == before);

  const fs::path missing = p.pt.tmp / "no-such-ledger";
  CHECK(p.take_in(&out, "HBX", missing.string()) == 2);
  CHECK(test::without_warnings(out).find('\n') == test::without_warnings(out).size() - 1);  // one line
  CHECK_THAT(out, Catch::Contains("predecessor"));
  CHECK_FALSE(fs::exists(missing));
  CHECK(p.pt.data_bytes() == before);

  // A ledger cannot take itself in.
  CHECK(p.take_in(&out, "PT", p.pt.dir().string()) == 2);
  CHECK(p.pt.data_bytes() == before);

  // Hòa Bình holds an act of 30 June: it had not ceased on 25 June.
  CHECK(p.take_in(&out, "HBE", "", "2025-06-25") == 2);
  CHECK_THAT(out, Catch::Contains("refused [predecessor]"));
  CHECK_THAT(out, Catch::Contains("dated 2025-06-30, after the merger took effect on 2025-06-25"));
  CHECK(p.pt.data_bytes() == before);
}

TEST_CASE("carry-over: Hòa Bình's open model continues in Phú Thọ under the unit that takes it over",
          "[take-in][carry-over]") {
  Provinces p;
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  const std::string to = "--to 'UBND xã Tân Lập' --level commune";
  // Until one is carried over, the auditor sees who has no competent unit after the merger.
  auto carried_findings = [&](const std::string& as_of) {
    std::string found;
    REQUIRE(run(fmt::format("{} audit {} --as-of {} --json", kAntq, quote(p.pt.dir()), as_of), &found) == 0);
    const json audited = json::parse(found);
    std::vector<std::string> subjects;
    for (const auto& f : audited["findings"])
      if (f["rule"] == "not-carried-over") subjects.push_back(f["subject"].get<std::string>());
    return subjects;
  };
  CHECK(carried_findings("2025-06-30").empty());
  CHECK(carried_findings("2025-07-10") == std::vector<std::string>{"HB.M-1", "HB.M-2"});

  // What --all would carry: both open subjects, the established model and the one being surveyed.
  REQUIRE(p.carry_over("--all " + to + " --date 2025-07-15 --dry-run --json", &out) == 0);
  json planned = json::parse(out);
  REQUIRE(planned["carried"].size() == 2);
  CHECK(planned["carried"][0]["from"] == "HB.M-1");
  CHECK(planned["carried"][0]["as"] == "HB-M-1");
  CHECK(planned["dry_run"] == true);
  const std::string before = p.pt.data_bytes();
  CHECK(p.pt.data_bytes() == before);

  // Not before the merger took effect; not a subject the part does not hold; nothing written.
  CHECK(p.carry_over("--subject HB.M-1 " + to + " --date 2025-06-30", &out) == 2);
  CHECK_THAT(out, Catch::Contains("refused [predecessor]"));
  CHECK_THAT(out, Catch::Contains("before the merger took effect on 2025-07-01"));
  CHECK(p.carry_over("--subject HB.M-9 " + to + " --date 2025-07-15", &out) == 2);
  CHECK_THAT(out, Catch::Contains("part HB holds no subject of that id"));
  CHECK(p.carry_over("--founded-by 'UBND xã Nowhere' " + to + " --date 2025-07-15", &out) == 2);
  CHECK(p.pt.data_bytes() == before);

  REQUIRE(p.carry_over("--subject HB.M-1 " + to + " --date 2025-07-15", &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("carried HB.M-1 -> HB-M-1 (entry "));
  // Once only.
  CHECK(p.carry_over("--subject M-1 " + to + " --date 2025-07-16", &out) == 2);
  CHECK_THAT(out, Catch::Contains("carried over already as HB-M-1"));
  CHECK(carried_findings("2025-07-10") == std::vector<std::string>{"HB.M-1", "HB.M-2"});
  CHECK(carried_findings("2025-07-16") == std::vector<std::string>{"HB.M-2"});

  // HB-M-1 is Phú Thọ's now: the part's record, taken over by the commune.
  REQUIRE(run(fmt::format("{} show {} HB-M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  json shown = json::parse(out);
  CHECK(shown["carried_from"] == "HB.M-1");
  CHECK(shown["stage"] == "established");
  CHECK(shown["name"] == "Tổ tự quản");
  CHECK(shown["teams"] == 2);
  CHECK(shown["founded"] == "2025-06-20");
  CHECK(shown["authority"]["unit"] == "UBND xã Tân Lập");
  // Its next act is judged by Phú Thọ's rules and read back as of any day after the carry-over.
  p.pt.reopen();
  p.pt.admit(test::make_act("model.launched", "HB-M-1", "2025-08-01"));
  REQUIRE(run(fmt::format("{} show {} HB-M-1 --as-of 2025-07-20 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["stage"] == "established");
  REQUIRE(run(fmt::format("{} show {} HB-M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["stage"] == "active");
  REQUIRE(run(fmt::format("{} history {} HB-M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["acts"].size() == 2);
  // Its dossier holds the papers filed in Hòa Bình, read from the part.
  REQUIRE(run(fmt::format("{} dossier {} HB-M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  const json dossier = json::parse(out);
  std::string established_in, signed_by;
  for (const auto& item : dossier["items"])
    for (const auto& doc : item["documents"])
      if (doc["act"] == "model.established" && item["status"] == "present") {
        established_in = doc.value("part", "here");
        signed_by = doc["signers"][0].value("signer", "");  // Hòa Bình's chairman, whose certificate the part holds
      }
  CHECK(established_in == "HB");
  CHECK_THAT(signed_by, Catch::Contains("CN=chair"));
  // As of a day before the carry-over, HB-M-1 is answered from the part, as Hòa Bình held it.
  REQUIRE(run(fmt::format("{} show {} HB-M-1 --as-of 2025-07-10 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  const json before_carry = json::parse(out);
  CHECK(before_carry["subject"] == "HB-M-1");
  CHECK(before_carry["part"] == "HB");
  CHECK(before_carry["carried_on"] == "2025-07-15");
  CHECK(before_carry["stage"] == "established");
  CHECK(before_carry["authority"]["unit"] == "UBND xã Tân Lập");
  REQUIRE(run(fmt::format("{} history {} HB-M-1 --as-of 2025-06-21 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["acts"].size() == 7);
  // The part's history is unchanged.
  REQUIRE(run(fmt::format("{} show {} HB.M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["stage"] == "established");

  // verify checks the carried record against the part; the replay gives the same state.
  REQUIRE(run(fmt::format("{} verify {}", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK_THAT(out, Catch::Contains("verifies as a ledger under its own profile; 1 subject(s) carried over, each record "
                                  "the part's"));
  auto parts = verify_sealed_parts(*p.pt.ledger);
  REQUIRE(parts.size() == 1);
  for (const auto& f : parts[0].failures) UNSCOPED_INFO(f);
  CHECK(parts[0].ok());
  CHECK(p.pt.verify().ok);

  // --all now carries the rest and skips what is carried.
  REQUIRE(p.carry_over("--all " + to + " --date 2025-07-20 --json", &out) == 0);
  json rest = json::parse(out.substr(out.find('{')));  // after the warnings of unencrypted test keys
  REQUIRE(rest["carried"].size() == 1);
  CHECK(rest["carried"][0]["as"] == "HB-M-2");
  REQUIRE(rest["skipped"].size() == 1);
  CHECK(rest["skipped"][0]["from"] == "HB.M-1");
}

TEST_CASE("carry-over: a replicated model is carried before its point, which then names the carried origin",
          "[take-in][carry-over]") {
  Provinces p;
  // Hòa Bình's model M-3, rated Good for 2024, replicated, and its first point founded before the merger.
  p.hb.found("M-3", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}});
  p.hb.admit(test::make_act("model.launched", "M-3", "2023-03-10"));
  p.hb.admit(test::make_act("model.rated", "M-3", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  p.hb.admit(test::make_act("model.replicated", "M-3", "2024-12-01", {{"areas", {"Thôn Mới"}}}));
  p.hb.found("M-3/P001", "2025-02-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}});
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  const std::string to = "--to 'UBND xã Tân Lập' --level commune --date 2025-07-15";
  // The point alone names the part's origin; carried with it, the carried one.
  REQUIRE(p.carry_over("--subject M-3/P001 " + to + " --dry-run --json", &out) == 0);
  CHECK(json::parse(out)["carried"][0]["point_of"] == "HB.M-3");
  REQUIRE(p.carry_over("--subject M-3/P001 --subject M-3 " + to + " --json", &out) == 0);
  const json carried = json::parse(out.substr(out.find('{')));
  REQUIRE(carried["carried"].size() == 2);
  CHECK(carried["carried"][0]["as"] == "HB-M-3");  // the origin first
  CHECK(carried["carried"][1]["as"] == "HB-M-3/P001");
  CHECK(carried["carried"][1]["point_of"] == "HB-M-3");
  REQUIRE(run(fmt::format("{} show {} HB-M-3 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  const json origin = json::parse(out);
  CHECK(origin["points"] == json::array({"HB-M-3/P001"}));
  CHECK(origin["ratings"]["2024"]["level"] == "good");
  REQUIRE(run(fmt::format("{} show {} HB-M-3/P001 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["kind"] == "point");
  CHECK(json::parse(out)["point_of"] == "HB-M-3");
  p.pt.reopen();
  CHECK(p.pt.verify().ok);
}

TEST_CASE("stats and reports across a merger: the part's subjects count until carried over, never twice",
          "[take-in][carry-over][stats]") {
  Provinces p;
  // Hòa Bình: M-1 established (2 teams), M-2 being surveyed, M-3 established (1 team) and rated Good for 2024.
  p.hb.found("M-3", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}});
  p.hb.admit(test::make_act("model.launched", "M-3", "2023-03-10"));
  p.hb.admit(test::make_act("model.rated", "M-3", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  const std::uint64_t own_before = p.pt.ledger->size();
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  auto stats = [&](const std::string& point) {
    std::string text;
    REQUIRE(run(fmt::format("{} stats {} {} --year 2024 --format json", kAntq, quote(p.pt.dir()), point), &text) == 0);
    return json::parse(text);
  };
  // As of a day before the merger: Hòa Bình's subjects, counted from the part (Phú Thọ had none of its own).
  json before = stats("--as-of 2025-06-30");
  CHECK(before["points"] == 2);
  CHECK(before["teams"] == 3);
  CHECK(before["ratings"]["good"] == 1);
  CHECK(before["parts"] == json{{"HB", 3}});
  // Not as the ledger stood before it took the part in.
  json earlier = stats(fmt::format("--at {}", own_before - 1));
  CHECK(earlier["points"] == 0);
  CHECK_FALSE(earlier.contains("parts"));

  // Once M-1 is carried over, it counts as Phú Thọ's HB-M-1 from that day, and never twice.
  REQUIRE(p.carry_over("--subject HB.M-1 --to 'UBND xã Tân Lập' --level commune --date 2025-07-15", &out) == 0);
  json after = stats("--as-of 2025-07-20");
  CHECK(after["points"] == 2);
  CHECK(after["teams"] == 3);
  CHECK(after["parts"] == json{{"HB", 2}});
  CHECK(stats("--as-of 2025-07-10")["parts"] == json{{"HB", 3}});
  std::string csv;
  REQUIRE(run(fmt::format("{} stats {} --as-of 2025-07-20 --format csv", kAntq, quote(p.pt.dir())), &csv) == 0);
  CHECK_THAT(csv, Catch::Contains("part,HB,2\r\n"));
  // The yearly report of 2025 names the part's share in its figures and in its table.
  REQUIRE(run(fmt::format("{} report {} 2025 --as-of 2025-07-20 --format csv", kAntq, quote(p.pt.dir())), &csv) == 0);
  CHECK_THAT(csv, Catch::Contains("total,points,2\r\n"));
  CHECK_THAT(csv, Catch::Contains("part,HB,2\r\n"));
  REQUIRE(run(fmt::format("{} report {} 2025 --as-of 2025-07-20", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK_THAT(out, Catch::Contains("Mô hình, điển hình của tỉnh cũ (trước sắp xếp)"));
  // A unit's figures are this ledger's own subjects.
  REQUIRE(run(fmt::format("{} stats {} --as-of 2025-07-20 --unit 'UBND xã Tân Lập' --format json", kAntq,
                          quote(p.pt.dir())), &out) == 0);
  CHECK(json::parse(out)["points"] == 1);
  CHECK_FALSE(json::parse(out).contains("parts"));
}

TEST_CASE("audit across a merger: the part's findings by its own profile, until the merger and the carry-over",
          "[take-in][carry-over][audit]") {
  Provinces p;
  // Hòa Bình's M-3 (its stored profile is format 1), founded in 2023 with no yearly report: missing-report, due
  // before 2023-11-15.
  p.hb.found("M-3", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}});
  p.hb.admit(test::make_act("model.launched", "M-3", "2023-03-10"));
  p.hb.admit(test::make_act("model.rated", "M-3", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  auto part_findings = [&](const std::string& as_of) {
    std::string text;
    REQUIRE(run(fmt::format("{} audit {} --as-of {} --json", kAntq, quote(p.pt.dir()), as_of), &text) == 0);
    json found = json::array();
    const json audited = json::parse(text);
    for (const auto& f : audited["findings"])
      if (f.contains("part")) found.push_back(f);
    return found;
  };
  const json before = part_findings("2025-06-30");
  const auto report = std::find_if(before.begin(), before.end(), [](const json& f) {
    return f["subject"] == "HB.M-3" && f["rule"] == "missing-report" && f["date"] == "2023-11-15";
  });
  REQUIRE(report != before.end());
  CHECK((*report)["part"] == "HB");
  // Long after the merger, the part's deadlines are measured on the day it took effect: none after it.
  const json later = part_findings("2026-12-01");
  CHECK_FALSE(later.empty());
  for (const auto& f : later) {
    INFO(f.dump());
    CHECK(f["date"].get<std::string>() <= "2025-07-01");
    CHECK(f["rule"] != "not-carried-over");  // that one is this ledger's own finding
  }
  // Carried over, M-3 is this ledger's HB-M-3: its findings in the part stop on that day.
  REQUIRE(p.carry_over("--subject HB.M-3 --to 'UBND xã Tân Lập' --level commune --date 2025-07-15", &out) == 0);
  for (const auto& f : part_findings("2025-07-20")) CHECK(f["subject"] != "HB.M-3");
  CHECK_FALSE(part_findings("2025-07-10").empty());
  // The table names the part's entry with its prefix; an audit of a unit is this ledger's own.
  REQUIRE(run(fmt::format("{} audit {} --as-of 2025-07-10", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK_THAT(out, Catch::Contains(" HB entry "));
  REQUIRE(run(fmt::format("{} audit {} --as-of 2025-07-10 --unit 'UBND xã Tân Lập' --json", kAntq, quote(p.pt.dir())),
              &out) == 0);
  const json mine = json::parse(out);
  for (const auto& f : mine["findings"]) CHECK_FALSE(f.contains("part"));
}

TEST_CASE("carry-over: a paper filed before the merger shows the signatures inside its PDF, as the part holds them",
          "[take-in][carry-over][dossier]") {
  Provinces p;
  // Hòa Bình's chairman and office sign the PDF of M-1's launch themselves (PAdES, tools/pdf-fixture.cpp).
  const fs::path pdf = p.hb.tmp / "launch.pdf";
  REQUIRE(run(fmt::format("{} {} --signer {}:{} --signer {}:{}", quote(fs::path(ANTQ_PDF_FIXTURE)), quote(pdf),
                          p.hb.chair.files.key, p.hb.chair.files.cert, p.hb.office.files.key,
                          p.hb.office.files.cert)) == 0);
  json launched = test::make_act("model.launched", "M-1", "2025-06-25");
  launched["attachments"] = json::array({{{"item", "1"}, {"media_type", "application/pdf"}, {"path", pdf.string()}}});
  p.hb.admit(launched);
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  REQUIRE(p.carry_over("--subject HB.M-1 --to 'UBND xã Tân Lập' --level commune --date 2025-07-15", &out) == 0);
  REQUIRE(run(fmt::format("{} dossier {} HB-M-1 --json", kAntq, quote(p.pt.dir())), &out) == 0);
  const json dossier = json::parse(out);
  json signatures;
  for (const auto& item : dossier["items"])
    for (const auto& doc : item["documents"])
      if (doc["act"] == "model.launched" && !doc["attachments"].empty()) {  // item 1, the paper filed with it
        CHECK(doc["part"] == "HB");
        REQUIRE(doc["attachments"].size() == 1);
        CHECK(doc["attachments"][0]["held"] == true);
        signatures = doc["attachments"][0]["pdf_signatures"];
      }
  REQUIRE(signatures.size() == 2);
  // Named from the certificates the part holds: Phú Thọ never held Hòa Bình's chairman's.
  CHECK_THAT(signatures[0]["signer"].get<std::string>(), Catch::Contains("CN=chair"));
  CHECK(signatures[1]["covers_whole_file"] == true);
  CHECK_THAT(signatures[1]["signing_time"].get<std::string>(), Catch::EndsWith("+07:00"));
  REQUIRE(run(fmt::format("{} dossier {} HB-M-1", kAntq, quote(p.pt.dir())), &out) == 0);
  CHECK_THAT(out, Catch::Contains("PDF ") && Catch::Contains(" signed "));
}

TEST_CASE("subject.carried-over: refused when its record is not the part's or the administrator did not sign",
          "[take-in][carry-over][refusal]") {
  Provinces p;
  std::string out;
  REQUIRE(p.take_in(&out) == 0);
  p.pt.reopen();
  auto record = p.pt.ledger->sealed_value("HB", "state", "subject/M-1");
  REQUIRE(record);
  auto act = [&](json r) {
    return json{{"act", "subject.carried-over"},
                {"subject", "HB-M-1"},
                {"date", "2025-07-15"},
                {"authority", test::kCommune},
                {"data", {{"part", "HB"}, {"from", "M-1"}, {"record", std::move(r)}}}};
  };
  const std::string before = p.pt.data_bytes();
  // Two more teams than Hòa Bình ever recorded.
  json changed = json::parse(*record);
  changed["teams"] = 4;
  auto forged = p.pt.append({test::sign(act(changed), p.pt.admin)});
  REQUIRE_FALSE(forged);
  CHECK_THAT(forged.error().line(), Catch::Contains("refused [predecessor]"));
  CHECK_THAT(forged.error().line(), Catch::Contains("not the subject's record as the sealed part holds it"));
  // The commune's chairman is no administrator.
  auto by_chair = p.pt.append({test::sign(act(json::parse(*record)), p.pt.chair)});
  REQUIRE_FALSE(by_chair);
  CHECK_THAT(by_chair.error().line(), Catch::Contains("refused [authority]"));
  // Another id than HB-<id>.
  json renamed = act(json::parse(*record));
  renamed["subject"] = "PT-9";
  auto other = p.pt.append({test::sign(renamed, p.pt.admin)});
  REQUIRE_FALSE(other);
  CHECK_THAT(other.error().line(), Catch::Contains("its subject must be HB-M-1"));
  CHECK(p.pt.data_bytes() == before);
  // As the part holds it, by the administrator: admitted.
  auto right = p.pt.append({test::sign(act(json::parse(*record)), p.pt.admin)});
  if (!right) FAIL(right.error().line());
  CHECK(p.pt.verify().ok);
}

TEST_CASE("take-in: a predecessor that does not verify is refused, nothing written", "[take-in][refusal]") {
  Provinces p;
  p.hb.ledger.reset();
  p.hb.admission.reset();
  test::edit_database(p.hb.dir(), "state", [&](MDB_txn* txn, MDB_dbi dbi) {
    std::string key = "subject/M-1";
    MDB_val k{key.size(), key.data()};
    std::string value = "{}";
    MDB_val v{value.size(), value.data()};
    REQUIRE(mdb_put(txn, dbi, &k, &v, 0) == 0);
  });
  const std::string before = p.pt.data_bytes();
  std::string out;
  CHECK(p.take_in(&out) == 2);
  CHECK_THAT(out, Catch::Contains("does not verify"));
  CHECK(p.pt.data_bytes() == before);
}

TEST_CASE("ledger.predecessor-sealed: refused without its sealed part, or when it says another size", "[take-in][refusal]") {
  Provinces p;
  const std::string note_text = p.hb.ledger->checkpoint(), vkey_text = p.hb.ledger->info().verifier_key;
  const Bytes note(note_text.begin(), note_text.end()), vkey(vkey_text.begin(), vkey_text.end());
  auto act_with = [&](std::uint64_t size) {
    return json{{"act", "ledger.predecessor-sealed"},
                {"subject", "ledger"},
                {"date", "2025-07-01"},
                {"attachments",
                 {{{"item", "checkpoint"}, {"media_type", "text/plain"}, {"sha256", to_hex(sha256(note))}, {"size", note.size()}},
                  {{"item", "operator.vkey"}, {"media_type", "text/plain"}, {"sha256", to_hex(sha256(vkey))}, {"size", vkey.size()}}}},
                {"data",
                 {{"prefix", "HB"}, {"origin", p.hb.ledger->info().origin}, {"size", size},
                  {"root", to_hex(p.hb.ledger->root(p.hb.ledger->size()))}, {"effective", "2025-07-01"}}}};
  };
  auto signed_act = [&](std::uint64_t size) {
    auto s = test::sign(act_with(size), p.pt.admin);
    s.blobs.push_back({sha256(note), note});
    s.blobs.push_back({sha256(vkey), vkey});
    return s;
  };
  const std::string before = p.pt.data_bytes();
  // Appended as any act: no part sealed with it.
  auto plain = p.pt.append({signed_act(p.hb.ledger->size())});
  REQUIRE_FALSE(plain);
  CHECK_THAT(plain.error().line(), Catch::Contains("refused [predecessor]"));
  CHECK(p.pt.data_bytes() == before);
  // Through take_in, but the act says one entry more than the part holds.
  auto wrong = p.pt.ledger->take_in(*p.hb.ledger, "HB", signed_act(p.hb.ledger->size() + 1), *p.pt.admission);
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().line(), Catch::Contains("refused [predecessor]"));
  CHECK_THAT(wrong.error().line(), Catch::Contains("data.size"));
  CHECK(p.pt.data_bytes() == before);
  CHECK(p.pt.ledger->sealed_parts().empty());
  // The right one is admitted, and the part verifies.
  auto right = p.pt.ledger->take_in(*p.hb.ledger, "HB", signed_act(p.hb.ledger->size()), *p.pt.admission);
  if (!right) FAIL(right.error().line());
  CHECK(p.pt.ledger->sealed_parts() == std::vector<std::string>{"HB"});
  CHECK(p.pt.verify().ok);
  auto parts = verify_sealed_parts(*p.pt.ledger);
  REQUIRE(parts.size() == 1);
  for (const auto& f : parts[0].failures) UNSCOPED_INFO(f);
  CHECK(parts[0].ok());
}

}  // namespace
}  // namespace antq::cli

namespace antq::cli {
namespace {

TEST_CASE("take-in --help teaches with an example", "[take-in]") {
  std::string out;
  CHECK(test::run(std::string(ANTQ_BINARY) + " take-in --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Usage: antq take-in"));
  CHECK_THAT(out, Catch::Contains("Example"));
  CHECK_THAT(out, Catch::Contains("Refused [predecessor]"));
  CHECK(test::run(std::string(ANTQ_BINARY) + " proof inclusion --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("--part"));
  CHECK(test::run(std::string(ANTQ_BINARY) + " carry-over --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Usage: antq carry-over"));
  CHECK_THAT(out, Catch::Contains("Examples"));
}

}  // namespace
}  // namespace antq::cli
