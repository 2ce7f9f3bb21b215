// The admission rules of this issue (domain.md §10, rule `authority`) and the authority registry behind them.
#include "projections/admission.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "projections/authority.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::bind_act;
using test::make_act;
using test::TestLedger;

class MemoryState : public ledger::StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = values_.find(std::string(key));
    return it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  using ledger::StateStore::put;
  void put(std::string_view key, std::string_view value) override { values_[std::string(key)] = value; }

 private:
  std::map<std::string, std::string> values_;
};

ledger::Act act_of(const json& j) {
  auto a = ledger::act_from_json(j, "act", ".");
  REQUIRE(a);
  return a->act;
}

json bound(const std::string& fingerprint, const std::string& role, const std::string& from, const std::string& to = "") {
  json data = {{"certificate", fingerprint}, {"role", role}, {"unit", "UBND xã Tân Lập"}, {"level", "commune"},
               {"title", "Chủ tịch"}, {"from", from}};
  if (!to.empty()) data["to"] = to;
  return {{"act", "authority.bound"}, {"subject", "ledger"}, {"date", from}, {"data", data}};
}

TEST_CASE("A binding holds from its first day up to, not including, its last", "[authority]") {
  MemoryState state;
  const Digest cert = sha256(as_bytes("chair"));
  apply_registry_act(state, act_of(bound(to_hex(cert), "person", "2023-01-01", "2024-01-01")), 3);
  CHECK_FALSE(binding_on(state, cert, "person", "2022-12-31"));
  auto b = binding_on(state, cert, "person", "2023-01-01");
  REQUIRE(b);
  CHECK(b->seq == 3);
  CHECK(b->unit == "UBND xã Tân Lập");
  CHECK(binding_on(state, cert, "person", "2023-12-31"));
  CHECK_FALSE(binding_on(state, cert, "person", "2024-01-01"));
  CHECK_FALSE(binding_on(state, cert, "organisation", "2023-06-01"));
  CHECK_FALSE(binding_on(state, cert, "person", "2023-06-01", "UBND xã Khác"));
  CHECK_FALSE(binding_on(state, cert, "person", "2023-06-01", "UBND xã Tân Lập", "district"));
  CHECK(binding_on(state, cert, "person", "2023-06-01", "UBND xã Tân Lập", "commune"));
}

TEST_CASE("authority.unbound ends every open binding on its date, and a later binding starts afresh", "[authority]") {
  MemoryState state;
  const Digest cert = sha256(as_bytes("chair"));
  apply_registry_act(state, act_of(bound(to_hex(cert), "person", "2023-01-01")), 1);
  apply_registry_act(state, act_of({{"act", "authority.unbound"}, {"subject", "ledger"}, {"date", "2023-07-01"},
                                    {"data", {{"certificate", to_hex(cert)}, {"from", "2023-07-01"}}}}),
                     2);
  CHECK(binding_on(state, cert, "person", "2023-06-30"));
  CHECK_FALSE(binding_on(state, cert, "person", "2023-07-01"));
  apply_registry_act(state, act_of(bound(to_hex(cert), "person", "2024-01-01")), 3);
  CHECK_FALSE(binding_on(state, cert, "person", "2023-12-31"));
  CHECK(binding_on(state, cert, "person", "2024-01-01")->seq == 3);
  CHECK(bindings_of(state, cert).size() == 2);
}

TEST_CASE("Registry acts must be signed by the administrator", "[admission]") {
  TestLedger t;
  auto stranger = t.pki.issue("stranger");
  auto r = t.append({test::sign(bind_act(stranger, "person"), t.chair)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::refused);
  CHECK(r.error().rule == "authority");
  CHECK_THAT(r.error().message, Catch::Contains("administrator"));
  // The closest lawful act: the same binding signed by the administrator.
  CHECK(t.append({test::sign(bind_act(stranger, "person"), t.admin)}));
}

TEST_CASE("A certificate bound as administrator may sign registry acts too", "[admission]") {
  TestLedger t;
  auto deputy = t.pki.issue("deputy admin");
  auto clerk = t.pki.issue("clerk");
  REQUIRE(t.append({test::sign(bind_act(deputy, "administrator"), t.admin)}));
  CHECK(t.append({test::sign(bind_act(clerk, "person"), deputy)}));
}

TEST_CASE("An act needs a person bound to its unit and level on its date", "[admission]") {
  TestLedger t;
  const json district = {{"level", "district"}, {"unit", "UBND huyện Minh Sơn"}};
  auto wrong_unit = t.append({test::sign(make_act("model.proposed", "M-1", "2023-03-15", json::object(), district),
                                         t.chair)});
  REQUIRE_FALSE(wrong_unit);
  CHECK(wrong_unit.error().rule == "authority");
  CHECK_THAT(wrong_unit.error().message, Catch::Contains("UBND huyện Minh Sơn") && Catch::Contains("2023-03-15"));
  // The chair's binding starts 2023-01-01 (bind_act): an act dated before it is refused.
  auto too_early = t.append({test::sign(make_act("model.proposed", "M-1", "2022-12-31"), t.chair)});
  REQUIRE_FALSE(too_early);
  CHECK(too_early.error().rule == "authority");
  CHECK(t.append({test::sign(make_act("model.proposed", "M-1", "2023-03-15"), t.chair)}));
}

TEST_CASE("A decision needs the organisation signature of the same unit", "[admission]") {
  TestLedger t;
  const json approved = make_act("survey.plan-approved", "M-1", "2023-03-01", {{"purpose", "khảo sát tình hình ANTT"}});
  auto without_org = t.record(approved, /*with_org=*/false);
  REQUIRE_FALSE(without_org);
  CHECK(without_org.error().rule == "authority");
  CHECK_THAT(without_org.error().message, Catch::Contains("organisation signature"));
  // The office's certificate signing as the person is no substitute either.
  auto office_as_person = t.append({test::sign(approved, t.office)});
  REQUIRE_FALSE(office_as_person);
  CHECK(office_as_person.error().rule == "authority");
  CHECK(t.record(approved));
}

TEST_CASE("After authority.unbound the signer's acts are refused from that date", "[admission]") {
  TestLedger t;
  REQUIRE(t.append({test::sign({{"act", "authority.unbound"}, {"subject", "ledger"}, {"date", "2024-01-01"},
                                {"data", {{"certificate", to_hex(t.chair.fingerprint)}, {"from", "2024-01-01"}}}},
                               t.admin)}));
  CHECK(t.append({test::sign(make_act("model.proposed", "M-1", "2023-12-31"), t.chair)}));
  auto after = t.append({test::sign(make_act("model.proposed", "M-2", "2024-01-01"), t.chair)});
  REQUIRE_FALSE(after);
  CHECK(after.error().rule == "authority");
}

TEST_CASE("Every profile of domain.md §9 has admission rules, an unknown one is bad input", "[admission]") {
  for (const auto& p : known_profiles()) CHECK(make_admission(p));
  CHECK(known_profiles().size() == 5);
  auto unknown = make_admission("ha-noi-2030");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::bad_input);
}

json adopt(const std::string& profile, const std::string& effective, const std::string& date = "2024-01-05") {
  return json{{"act", "profile.adopted"}, {"subject", "ledger"}, {"date", date},
              {"data", {{"profile", profile}, {"effective", effective}}}};
}

TEST_CASE("profile.adopted carries the profile's file and takes effect from its date, forward only", "[admission]") {
  TestLedger t;
  // antq sign attaches the program's own file of the profile named (the act attaches nothing).
  auto adopted = t.append({test::sign(adopt("binh-thuan-2023", "2024-01-01"), t.admin)});
  if (!adopted) FAIL(adopted.error().line());
  auto list = adopted_profiles(LedgerState(*t.ledger));
  REQUIRE(list.size() == 1);
  CHECK(list[0].id == "binh-thuan-2023");
  CHECK(list[0].effective == "2024-01-01");
  CHECK(list[0].file == sha256(as_bytes(builtin_profile_text("binh-thuan-2023"))));
  CHECK(t.ledger->attachment(list[0].file).has_value());

  // Effective dates move forward only (rule `order`).
  auto back = t.append({test::sign(adopt("kon-tum-2022", "2023-06-01", "2024-02-01"), t.admin)});
  REQUIRE_FALSE(back);
  CHECK(back.error().rule == "order");
  CHECK_THAT(back.error().message, Catch::Contains("2023-06-01") && Catch::Contains("binh-thuan-2023"));

  // A profile this program does not have can be adopted with its file; without one it is bad input.
  auto unknown = t.append({test::sign(adopt("ha-noi-2030", "2025-01-01"), t.admin)});
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("attach the profile's file"));
  json custom = json::parse(builtin_profile_text("hoa-binh-2023"));
  custom["id"] = "ha-noi-2030";
  test::write_file(t.tmp / "ha-noi-2030.json", custom.dump(2));
  json with_file = adopt("ha-noi-2030", "2025-01-01");
  with_file["attachments"] = json::array({{{"item", "profile"}, {"path", (t.tmp / "ha-noi-2030.json").string()},
                                          {"media_type", "application/json"}}});
  auto custom_adopted = t.append({test::sign(with_file, t.admin)});
  if (!custom_adopted) FAIL(custom_adopted.error().line());
  CHECK(adopted_profiles(LedgerState(*t.ledger)).back().id == "ha-noi-2030");
  // A file that is some other profile than the one named is refused.
  json mislabelled = adopt("hoa-binh-2023", "2026-01-01");
  mislabelled["attachments"] = with_file["attachments"];
  auto wrong = t.append({test::sign(mislabelled, t.admin)});
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Catch::Contains("the attached file is profile ha-noi-2030"));

  // verify replays the adoptions and reproduces the state.
  auto report = t.verify();
  INFO((report.failures.empty() ? std::string() : report.failures.front().reason));
  CHECK(report.ok);
}

TEST_CASE("Snapshots are kept by the reports' half-years: 1 November to 30 April, 1 May to 31 October", "[admission]") {
  const std::map<std::string, std::string> ends = {{"2023-01-15", "2023-04-30"}, {"2023-04-30", "2023-04-30"},
                                                   {"2023-05-01", "2023-10-31"}, {"2023-10-31", "2023-10-31"},
                                                   {"2023-11-01", "2024-04-30"}, {"2023-12-31", "2024-04-30"}};
  for (const auto& [day, end] : ends) CHECK(snapshot_period_end(day) == end);
  CHECK(previous_period_end("2024-04-30") == "2023-10-31");
  CHECK(previous_period_end("2023-10-31") == "2023-04-30");
  CHECK(snapshot_prefix("YT-M01/P007") == "asof/YT-M01/P007@");
}

}  // namespace
}  // namespace antq::projections
