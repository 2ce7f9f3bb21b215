// access.granted / access.revoked, and what the service may let a client certificate do (projections/access.hpp).
#include "projections/access.hpp"

#include <fmt/format.h>

#include "projections/query.hpp"
#include "support.hpp"

using namespace antq;
using namespace antq::projections;
using antq::test::json;
using antq::test::make_act;
using antq::test::require_ok;
using antq::test::TestLedger;
namespace fs = std::filesystem;

namespace {

// An access.granted act of the administrator: `data` names role, scope and dates (and the certificate, usually).
json grant_act(const json& data, const std::string& date = "2026-01-02") {
  json act = make_act("access.granted", "ledger", date, data);
  act.erase("authority");
  return act;
}
json revoke_act(const json& data, const std::string& date = "2026-06-01") {
  json act = make_act("access.revoked", "ledger", date, data);
  act.erase("authority");
  return act;
}

// The refusal of `r`, as its one line; fails the test when `r` was admitted.
template <class T>
std::string refusal(const Result<T>& r) {
  REQUIRE_FALSE(r);
  return r.error().line();
}

ClientAccess access_of(TestLedger& t, const test::Identity& who, const std::string& date) {
  return client_access(*t.ledger, who.fingerprint, date);
}

}  // namespace

TEST_CASE("A grant gives its certificate a role over its scope from its first day, until a revocation ends it", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  test::Identity inspector = t.pki.issue("inspector");
  require_ok(t.append({test::sign(grant_act({{"certificate", to_hex(inspector.fingerprint)},
                                             {"role", "inspector"},
                                             {"units", {"UBND xã Tân Lập", "UBND huyện Lạc Sơn"}},
                                             {"from", "2026-02-01"}}),
                                  t.admin)}));
  const std::uint64_t grant_seq = t.ledger->size() - 1;

  ClientAccess before = access_of(t, inspector, "2026-01-31");
  CHECK_FALSE(before.grant);
  CHECK(before.no_read_reason.str() ==
        fmt::format("certificate {}… may read from 2026-02-01 (grant of entry {}), not on 2026-01-31",
                    to_hex(ByteView(inspector.fingerprint.data(), 8)), grant_seq));
  // In Vietnamese, with the dates as dd/mm/yyyy (a 403's body when the request asks for vi).
  CHECK_THAT(before.no_read_reason.str(i18n::Lang::vi),
             Catch::Contains("01/02/2026") && Catch::Contains("31/01/2026") && !Catch::Contains("may read"));
  ClientAccess during = access_of(t, inspector, "2026-02-01");
  REQUIRE(during.grant);
  CHECK(during.no_read_reason.empty());
  CHECK(during.grant->role == "inspector");
  CHECK(during.grant->seq == grant_seq);
  CHECK(during.grant->scope.units == std::set<std::string, std::less<>>{"UBND huyện Lạc Sơn", "UBND xã Tân Lập"});
  CHECK(during.grant->scope.levels.empty());
  CHECK_FALSE(during.may_submit);  // reading is not submitting: it is bound by no authority.bound

  require_ok(t.append({test::sign(
      revoke_act(
          {{"certificate", to_hex(inspector.fingerprint)}, {"from", "2026-07-01"}, {"reason", "chuyển công tác"}}),
      t.admin)}));
  const std::uint64_t revoke_seq = t.ledger->size() - 1;
  CHECK(access_of(t, inspector, "2026-06-30").grant);
  ClientAccess after = access_of(t, inspector, "2026-07-01");
  CHECK_FALSE(after.grant);
  CHECK_THAT(after.no_read_reason.str(),
             Catch::Contains(
                 fmt::format("its grant (entry {}) was revoked from 2026-07-01 by entry {}", grant_seq, revoke_seq)));
  const auto grants = grants_of(LedgerState(*t.ledger), inspector.fingerprint);
  REQUIRE(grants.size() == 1);
  CHECK(grants[0].to == "2026-07-01");
  CHECK(grants[0].revoked_by == revoke_seq);

  // A new grant may begin once the old one has ended, not before.
  auto overlapping = t.append({test::sign(grant_act({{"certificate", to_hex(inspector.fingerprint)},
                                                     {"role", "reader"},
                                                     {"whole_ledger", true},
                                                     {"from", "2026-06-01"}}),
                                          t.admin)});
  CHECK_THAT(refusal(overlapping), Catch::StartsWith("refused [access]: access.granted: certificate") &&
                                       Catch::Contains("one grant at a time"));
  require_ok(t.append({test::sign(grant_act({{"certificate", to_hex(inspector.fingerprint)},
                                             {"role", "reader"},
                                             {"whole_ledger", true},
                                             {"from", "2026-07-01"}}),
                                  t.admin)}));
  ClientAccess again = access_of(t, inspector, "2026-12-01");
  REQUIRE(again.grant);
  CHECK(again.grant->role == "reader");
  CHECK(again.grant->scope.whole());
  CHECK(t.verify().ok);  // the replay reproduces the access/ keys
}

TEST_CASE("may_submit: bound by authority.bound in any role on the day, or the administrator of init", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  // The chair is bound as person from 2023-01-01 (TestLedger), with no end.
  CHECK(access_of(t, t.chair, "2023-01-01").may_submit);
  CHECK_FALSE(access_of(t, t.chair, "2022-12-31").may_submit);
  CHECK(access_of(t, t.office, "2026-12-01").may_submit);
  CHECK(access_of(t, t.admin, "2026-12-01").may_submit);
  // Submitting is not reading.
  ClientAccess chair = access_of(t, t.chair, "2026-12-01");
  CHECK_FALSE(chair.grant);
  CHECK_THAT(chair.no_read_reason.str(), Catch::EndsWith("holds no read grant (access.granted) of this ledger"));
  // Unbound from a date: no longer a submitter from then.
  json unbind = make_act("authority.unbound", "ledger", "2026-03-01",
                         {{"certificate", to_hex(t.chair.fingerprint)}, {"from", "2026-03-01"}});
  unbind.erase("authority");
  require_ok(t.append({test::sign(unbind, t.admin)}));
  CHECK(access_of(t, t.chair, "2026-02-28").may_submit);
  CHECK_FALSE(access_of(t, t.chair, "2026-03-01").may_submit);
  CHECK_FALSE(access_of(t, t.pki.issue("stranger"), "2026-03-01").may_submit);
}

TEST_CASE("Access acts are registry acts: only the administrator signs them", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  test::Identity reader = t.pki.issue("reader");
  auto r = t.append({test::sign(grant_act({{"certificate", to_hex(reader.fingerprint)},
                                           {"role", "reader"},
                                           {"whole_ledger", true},
                                           {"from", "2026-01-01"}}),
                                t.chair)});
  CHECK_THAT(refusal(r),
             Catch::StartsWith(
                 "refused [authority]: access.granted is a registry act and must be signed by an administrator"));
  // And they use the subject "ledger".
  json wrong_subject = grant_act({{"certificate", to_hex(reader.fingerprint)},
                                  {"role", "reader"},
                                  {"whole_ledger", true},
                                  {"from", "2026-01-01"}});
  wrong_subject["subject"] = "M-1";
  auto parsed = ledger::act_from_json(wrong_subject, "act.json", ".");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message == "act.json: subject: registry and records acts use the subject \"ledger\"");
}

TEST_CASE("A malformed access act is bad input naming the field", "[access]") {
  const std::string fp(64, 'a');
  struct Case {
    json data;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"certificate", fp}, {"role", "administrator"}, {"whole_ledger", true}, {"from", "2026-01-01"}},
       "act.json: data.role: expected one of inspector|auditor|archivist|reader, got \"administrator\""},
      {{{"certificate", "ABC"}, {"role", "reader"}, {"whole_ledger", true}, {"from", "2026-01-01"}},
       "act.json: data.certificate: expected a SHA-256 fingerprint (64 lower-case hex digits), got \"ABC\""},
      {{{"certificate", fp}, {"role", "reader"}, {"levels", {"village"}}, {"from", "2026-01-01"}},
       "act.json: data.levels[0]: expected one of commune|district|province|ministry|agency, got \"village\""},
      {{{"certificate", fp}, {"role", "reader"}, {"whole_ledger", true}},
       "act.json: data.from: missing (required for access.granted)"},
      {{{"certificate", fp}, {"role", "reader"}, {"whole_ledger", "yes"}, {"from", "2026-01-01"}},
       "act.json: data.whole_ledger: expected true or false, got \"yes\""},
      {{{"certificate", fp}, {"role", "reader"}, {"units", "UBND xã Tân Lập"}, {"from", "2026-01-01"}},
       "act.json: data.units: expected a list, got \"UBND xã Tân Lập\""},
      {{{"certificate", fp}, {"role", "reader"}, {"scope", "all"}, {"from", "2026-01-01"}},
       "act.json: data.scope: unknown field for access.granted (expected certificate|role|units|levels|"
       "whole_ledger|from|to)"},
  };
  for (const auto& c : cases) {
    INFO(c.data.dump());
    auto parsed = ledger::act_from_json(grant_act(c.data), "act.json", ".");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::bad_input);
    CHECK(parsed.error().message == c.message);
  }
  auto revoke = ledger::act_from_json(revoke_act({{"from", "2026-01-01"}}), "act.json", ".");
  REQUIRE_FALSE(revoke);
  CHECK(revoke.error().message == "act.json: data.certificate: missing (required for access.revoked)");
}

TEST_CASE("Contradictory grants and revocations are refused [access] with nothing written", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  test::Identity auditor = t.pki.issue("auditor");
  const std::string fp = to_hex(auditor.fingerprint);
  const std::uint64_t size = t.ledger->size();
  auto refuse = [&](const json& act) {
    auto r = t.append({test::sign(act, t.admin)});
    std::string line = refusal(r);
    CHECK(t.ledger->size() == size);
    return line;
  };
  CHECK(refuse(grant_act({{"certificate", fp},
                          {"role", "auditor"},
                          {"whole_ledger", true},
                          {"units", {"UBND xã Tân Lập"}},
                          {"from", "2026-01-01"}})) ==
        "refused [access]: access.granted: whole_ledger and a scope of units UBND xã Tân Lập contradict each other: "
        "give one or the other");
  CHECK(refuse(grant_act({{"certificate", fp}, {"role", "auditor"}, {"from", "2026-01-01"}})) ==
        "refused [access]: access.granted covers nothing: give data.units and/or data.levels, or data.whole_ledger: "
        "true for the whole ledger");
  CHECK(refuse(grant_act({{"certificate", fp},
                          {"role", "auditor"},
                          {"units", json::array()},
                          {"levels", json::array()},
                          {"whole_ledger", false},
                          {"from", "2026-01-01"}})) ==
        "refused [access]: access.granted covers nothing: give data.units and/or data.levels, or data.whole_ledger: "
        "true for the whole ledger");
  CHECK(refuse(grant_act({{"certificate", fp},
                          {"role", "auditor"},
                          {"levels", {"province"}},
                          {"from", "2026-03-01"},
                          {"to", "2026-03-01"}})) ==
        "refused [access]: access.granted: it ends (2026-03-01) on or before it begins (2026-03-01)");
  CHECK(refuse(grant_act({{"role", "auditor"}, {"levels", {"province"}}, {"from", "2026-03-01"}})) ==
        "refused [access]: access.granted names no certificate: give data.certificate (its SHA-256 fingerprint) or "
        "attach it (item \"certificate\", DER)");
  CHECK(refuse(revoke_act({{"certificate", fp}, {"from", "2026-01-01"}})) ==
        fmt::format("refused [access]: access.revoked from 2026-01-01: certificate {}… holds no grant in force on or "
                    "after that day",
                    fp.substr(0, 16)));

  // A grant that ends, then revocations that find nothing left to end.
  require_ok(t.append({test::sign(grant_act({{"certificate", fp},
                                             {"role", "auditor"},
                                             {"levels", {"province", "district"}},
                                             {"from", "2026-01-01"},
                                             {"to", "2026-04-01"}}),
                                  t.admin)}));
  const std::uint64_t grant_seq = t.ledger->size() - 1;
  const std::uint64_t after_grant = t.ledger->size();
  auto refuse_now = [&](const json& act) {
    std::string line = refusal(t.append({test::sign(act, t.admin)}));
    CHECK(t.ledger->size() == after_grant);
    return line;
  };
  CHECK(refuse_now(revoke_act({{"certificate", fp}, {"from", "2026-04-01"}})) ==
        fmt::format("refused [access]: access.revoked from 2026-04-01: certificate {}… holds no grant in force on or "
                    "after that day",
                    fp.substr(0, 16)));
  CHECK(refuse_now(revoke_act({{"certificate", fp}, {"from", "2026-02-01"}, {"grant", 1}})) ==
        fmt::format("refused [access]: access.revoked: entry 1 is no grant of certificate {}…", fp.substr(0, 16)));
  CHECK(refuse_now(revoke_act({{"certificate", fp}, {"from", "2026-05-01"}, {"grant", grant_seq}})) ==
        fmt::format("refused [access]: access.revoked from 2026-05-01: the grant of entry {} is over by then",
                    grant_seq));
  CHECK_THAT(refuse_now(grant_act({{"certificate", fp},
                                   {"role", "reader"},
                                   {"whole_ledger", true},
                                   {"from", "2025-12-01"},
                                   {"to", "2026-01-02"}})),
             Catch::Contains("holds the grant of entry") && Catch::Contains("auditor, levels district, province, from "
                                                                            "2026-01-01 to 2026-04-01"));
  // Revoked early by its seq: from then on nothing is in force; a grant from the revocation's date is admitted.
  require_ok(
      t.append({test::sign(revoke_act({{"certificate", fp}, {"from", "2026-02-15"}, {"grant", grant_seq}}), t.admin)}));
  CHECK_FALSE(access_of(t, auditor, "2026-02-15").grant);
  CHECK(access_of(t, auditor, "2026-02-14").grant);
  require_ok(t.append({test::sign(grant_act({{"certificate", fp},
                                             {"role", "archivist"},
                                             {"units", {"UBND xã Tân Lập"}},
                                             {"levels", {"commune"}},
                                             {"from", "2026-02-15"}}),
                                  t.admin)}));
  REQUIRE(access_of(t, auditor, "2026-03-01").grant);
  CHECK(access_of(t, auditor, "2026-03-01").grant->role == "archivist");
  CHECK(t.verify().ok);
}

TEST_CASE("A grant may attach the client certificate instead of naming its fingerprint", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  test::Identity archivist = t.pki.issue("archivist");
  const fs::path der = t.tmp / "archivist.der";
  test::write_file(der, std::string(archivist.certificate.begin(), archivist.certificate.end()));
  const json attached =
      json::array({json{{"item", "certificate"}, {"media_type", "application/pkix-cert"}, {"path", der.string()}}});

  json act = grant_act({{"role", "archivist"}, {"units", {"UBND xã Tân Lập"}}, {"from", "2026-01-01"}});
  act["attachments"] = attached;
  require_ok(t.append({test::sign(act, t.admin)}));
  REQUIRE(access_of(t, archivist, "2026-01-01").grant);

  // Named and attached: they must be the same certificate.
  test::Identity other = t.pki.issue("other");
  json both = grant_act(
      {{"certificate", to_hex(other.fingerprint)}, {"role", "reader"}, {"whole_ledger", true}, {"from", "2026-01-01"}});
  both["attachments"] = attached;
  CHECK(refusal(t.append({test::sign(both, t.admin)})) ==
        fmt::format("refused [access]: access.granted names certificate {} in data.certificate but attaches {}: the "
                    "two must be the same certificate",
                    to_hex(other.fingerprint), to_hex(archivist.fingerprint)));

  // An attachment of item "certificate" that is no certificate is bad input.
  const fs::path junk = t.tmp / "junk.der";
  test::write_file(junk, "not a certificate");
  json bad = grant_act({{"role", "reader"}, {"whole_ledger", true}, {"from", "2026-01-01"}});
  bad["attachments"] = json::array({json{{"item", "certificate"}, {"path", junk.string()}}});
  auto r = t.append({test::sign(bad, t.admin)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK_THAT(r.error().message, Catch::Contains("the attachment of item \"certificate\"") &&
                                    Catch::Contains("is not a DER X.509 certificate"));

  // A certificate that expires before the grant begins.
  signing::CertificateRequest short_lived;
  short_lived.not_after = signing::now() + 86400;
  test::Identity brief = t.pki.issue("brief", short_lived);
  const fs::path brief_der = t.tmp / "brief.der";
  test::write_file(brief_der, std::string(brief.certificate.begin(), brief.certificate.end()));
  json late = grant_act({{"role", "reader"}, {"whole_ledger", true}, {"from", "2099-01-01"}});
  late["attachments"] = json::array({json{{"item", "certificate"}, {"path", brief_der.string()}}});
  CHECK_THAT(refusal(t.append({test::sign(late, t.admin)})),
             Catch::StartsWith("refused [access]: access.granted from 2099-01-01: certificate") &&
                 Catch::Contains("before the grant begins"));
  CHECK(t.verify().ok);
}

TEST_CASE("visible: a subject is in a scope by the unit and level that founded it, else by its keeper", "[access]") {
  SubjectState founded;
  founded.id = "M-1";
  founded.authority = {"district", "UBND huyện Lạc Sơn"};
  founded.founded = "2024-01-01";
  SubjectState unfounded;
  unfounded.id = "E-1";

  Scope whole;
  CHECK(visible(whole, founded, ""));
  CHECK(visible(whole, unfounded, ""));

  Scope units;
  units.units = {"UBND huyện Lạc Sơn"};
  CHECK(visible(units, founded, "UBND xã Tân Lập"));  // the founder decides, not the keeper
  CHECK_FALSE(visible(units, unfounded, "UBND xã Tân Lập"));
  CHECK(visible(units, unfounded, "UBND huyện Lạc Sơn"));

  Scope levels;
  levels.levels = {"district"};
  CHECK(visible(levels, founded, ""));
  CHECK_FALSE(visible(levels, unfounded, "UBND huyện Lạc Sơn"));  // a keeper has no level
  Scope commune;
  commune.levels = {"commune"};
  CHECK_FALSE(visible(commune, founded, ""));

  Scope both;
  both.units = {"UBND huyện Lạc Sơn"};
  both.levels = {"province"};
  CHECK_FALSE(visible(both, founded, ""));  // units AND levels
  both.levels.insert("district");
  CHECK(visible(both, founded, ""));

  CHECK(describe(whole) == "the whole ledger");
  CHECK(describe(both) == "units UBND huyện Lạc Sơn; levels district, province");
}

TEST_CASE("visible with the ledger's state reads the keeper of a subject not yet founded", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  t.admit(make_act("survey.plan-approved", "M-9", "2023-02-01"));
  LedgerState state(*t.ledger);
  auto s = subject_state(state, "M-9");
  REQUIRE(s);
  Scope commune_unit;
  commune_unit.units = {"UBND xã Tân Lập"};
  CHECK(visible(commune_unit, *s, state));
  Scope elsewhere;
  elsewhere.units = {"UBND xã Khác"};
  CHECK_FALSE(visible(elsewhere, *s, state));
}

TEST_CASE("A grant revoked before it began never gives a day, and says so", "[access]") {
  TestLedger t("hoa-binh-2023", "p256");
  test::Identity reader = t.pki.issue("reader");
  require_ok(t.append({test::sign(grant_act({{"certificate", to_hex(reader.fingerprint)},
                                             {"role", "reader"},
                                             {"whole_ledger", true},
                                             {"from", "2027-01-01"}}),
                                  t.admin)}));
  const std::uint64_t grant_seq = t.ledger->size() - 1;
  CHECK_THAT(access_of(t, reader, "2026-12-01").no_read_reason.str(), Catch::Contains("may read from 2027-01-01"));
  require_ok(t.append({test::sign(revoke_act({{"certificate", to_hex(reader.fingerprint)}, {"from", "2026-12-01"}}),
                                  t.admin)}));
  for (const char* day : {"2026-12-01", "2027-01-01", "2028-01-01"}) {
    ClientAccess a = access_of(t, reader, day);
    CHECK_FALSE(a.grant);
    CHECK_THAT(a.no_read_reason.str(),
               Catch::Contains(fmt::format("its grant (entry {}) was revoked from 2027-01-01 by entry {}", grant_seq,
                                           grant_seq + 1)));
  }
  // It takes no day, so a grant from any day may follow it.
  require_ok(t.append({test::sign(grant_act({{"certificate", to_hex(reader.fingerprint)},
                                             {"role", "auditor"},
                                             {"levels", {"commune"}},
                                             {"from", "2026-12-02"}}),
                                  t.admin)}));
  REQUIRE(access_of(t, reader, "2027-06-01").grant);
  CHECK(t.verify().ok);
}
