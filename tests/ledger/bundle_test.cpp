// Bundles (ledger/bundle.cpp, ledger/bundle_verify.cpp): verification anchored outside the bundle, every file
// accounted for, and the export's file safety.
#include "ledger/bundle.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::make_act;
using test::require_ok;
using test::TestLedger;

// A decision that begins a subject (its survey plan approved).
json plan_approved(const std::string& subject) {
  return make_act("survey.plan-approved", subject, "2023-03-01", {{"purpose", "khảo sát tình hình ANTT"}});
}

// The auditor's anchors for `t`: its operator key and its roots, from the ledger rather than from any bundle.
BundleAnchors anchors_of(const TestLedger& t) {
  BundleAnchors a;
  auto key = parse_verifier_key(t.ledger->info().verifier_key);
  REQUIRE(key);
  a.operator_key = *key;
  a.trust = std::vector<Bytes>{t.pki.root().certificate_der};
  return a;
}

ExportOptions exploded() {
  ExportOptions o;
  o.explode = true;
  return o;
}
ExportOptions subject_only(const std::string& subject) {
  ExportOptions o;
  o.subject = subject;
  return o;
}

fs::path export_to(const TestLedger& t, const std::string& name, ExportOptions options = {}) {
  const fs::path out = t.tmp / name;
  auto summary = export_bundle(*t.ledger, out, options);
  if (!summary) FAIL(summary.error().line());
  return out;
}

BundleReport verify(const fs::path& bundle, const BundleAnchors& anchors) {
  auto r = verify_bundle(bundle, anchors);
  if (!r) FAIL(r.error().line());
  return *r;
}

const BundleFile* file(const BundleReport& r, const std::string& path) {
  for (const auto& f : r.files)
    if (f.path == path) return &f;
  return nullptr;
}

bool any_failure_mentions(const BundleReport& r, const std::string& text) {
  for (const auto& f : r.verify.failures)
    if (f.reason.find(text) != std::string::npos) return true;
  return false;
}

std::string failures(const BundleReport& r) {
  std::string out;
  for (const auto& f : r.verify.failures) out += (f.seq ? fmt::format("seq {}: ", *f.seq) : "") + f.reason + "\n";
  return out;
}

// A ledger with a decision that begins a subject (two signatures) and a few proposals of other subjects.
struct Story {
  Story() {
    t.admit(plan_approved("M-1"));
    for (int i = 2; i <= 4; ++i) t.admit(make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"));
  }
  TestLedger t;
};

TEST_CASE("An exploded bundle verified against the operator key and roots checks every file it holds",
          "[ledger][bundle]") {
  Story s;
  const fs::path bundle = export_to(s.t, "bundle", exploded());
  const BundleReport r = verify(bundle, anchors_of(s.t));
  INFO(failures(r));
  CHECK(r.verify.ok);
  CHECK(r.anchored());
  CHECK(r.verify.entries == s.t.ledger->size());
  CHECK(r.verify.root == s.t.ledger->root(s.t.ledger->size()));
  std::size_t files = 0;
  for (const auto& f : fs::recursive_directory_iterator(bundle)) files += f.is_regular_file();
  CHECK(r.files.size() == files);
  for (const auto& f : r.files) {
    INFO(f.path << ": " << f.reason);
    // The profile given at init is kept beside the log: the bundle carries it and says it cannot prove it.
    CHECK(f.status == (f.path == "profile.json" ? BundleFile::Status::unchecked : BundleFile::Status::checked));
  }
  REQUIRE(file(r, "acts/index.tsv"));
  REQUIRE(file(r, "README.txt"));
  CHECK(file(r, "trust.pem")->reason == "the same roots as --trust");
}

TEST_CASE("Without anchors a bundle is checked against itself only, and says so", "[ledger][bundle]") {
  Story s;
  const fs::path bundle = export_to(s.t, "bundle");
  const BundleReport r = verify(bundle, {});
  CHECK(r.verify.ok);
  CHECK(!r.anchored());
  CHECK(!r.operator_anchored);
  CHECK(!r.trust_anchored);
  CHECK(file(r, "operator.vkey")->status == BundleFile::Status::unchecked);
  CHECK(file(r, "trust.pem")->status == BundleFile::Status::unchecked);
  // With roots only, the operator anchor is still missing.
  BundleAnchors roots_only;
  roots_only.trust = anchors_of(s.t).trust;
  const BundleReport half = verify(bundle, roots_only);
  CHECK(half.trust_anchored);
  CHECK(!half.anchored());
}

TEST_CASE("A bundle made from scratch under the same origin fails against the real operator key and roots",
          "[ledger][bundle]") {
  Story real;
  // The forger's own ledger: same origin (both directories are named "ledger"), its own operator key, its own root.
  TestLedger forger;
  REQUIRE(forger.ledger->info().origin == real.t.ledger->info().origin);
  forger.admit(plan_approved("M-1"));
  const fs::path bundle = export_to(forger, "forged", exploded());

  // On its own terms the forgery is consistent: that is all an unanchored check can see.
  CHECK(verify(bundle, {}).verify.ok);

  const BundleReport r = verify(bundle, anchors_of(real.t));
  INFO(failures(r));
  CHECK(!r.verify.ok);
  CHECK(file(r, "operator.vkey")->status == BundleFile::Status::failed);
  CHECK(file(r, "checkpoint")->status == BundleFile::Status::failed);
  // The forger's signatures do not chain to the real roots, whatever the bundle's trust.pem says.
  CHECK(any_failure_mentions(r, "refused [signature]"));
  CHECK_THAT(file(r, "trust.pem")->reason, Catch::Contains("not used") && Catch::Contains("Test Root CA"));

  // A checkpoint the auditor kept from the real ledger fails the same way.
  BundleAnchors kept;
  kept.checkpoint = real.t.ledger->checkpoint();
  kept.trust = anchors_of(real.t).trust;
  const BundleReport k = verify(bundle, kept);
  CHECK(!k.verify.ok);
  CHECK(file(k, "operator.vkey")->status == BundleFile::Status::failed);
  CHECK(any_failure_mentions(k, "the checkpoint you kept"));
}

TEST_CASE("A kept checkpoint anchors the operator key when the bundle's tree extends it", "[ledger][bundle]") {
  Story s;
  const std::string older = s.t.ledger->checkpoint();
  s.t.admit(make_act("model.proposed", "M-9", "2023-04-01"));
  const fs::path bundle = export_to(s.t, "bundle");
  BundleAnchors a;
  a.checkpoint = older;
  a.trust = anchors_of(s.t).trust;
  const BundleReport r = verify(bundle, a);
  INFO(failures(r));
  CHECK(r.verify.ok);
  CHECK(r.anchored());
  CHECK(file(r, "operator.vkey")->status == BundleFile::Status::checked);
  CHECK(r.verify.checkpoints == 2);

  SECTION("a checkpoint newer than the bundle fails: the bundle is older") {
    s.t.admit(make_act("model.proposed", "M-10", "2023-04-02"));
    a.checkpoint = s.t.ledger->checkpoint();
    const BundleReport newer = verify(bundle, a);
    CHECK(!newer.verify.ok);
    CHECK(any_failure_mentions(newer, "older than the checkpoint you kept"));
  }
  SECTION("a checkpoint of a ledger that was rewritten since fails") {
    // A copy of the ledger (the same operator key and origin) takes another act than the original: a fork.
    fs::copy(s.t.dir(), s.t.tmp / "fork", fs::copy_options::recursive);
    s.t.admit(make_act("model.proposed", "M-10", "2023-04-02"));
    a.checkpoint = s.t.ledger->checkpoint();
    auto fork = Ledger::open(s.t.tmp / "fork");
    REQUIRE(fork);
    require_ok((*fork)->use_operator_key(s.t.operator_key));  // the operator's own copy
    auto admission = projections::make_admission(s.t.profile);
    REQUIRE(admission);
    require_ok((*fork)->append({test::sign(make_act("model.proposed", "M-11", "2023-04-02"), s.t.chair)}, **admission));
    REQUIRE((*fork)->size() == s.t.ledger->size());
    const fs::path forked = s.t.tmp / "forked-bundle";
    require_ok(export_bundle(**fork, forked, {}));
    const BundleReport r = verify(forked, a);
    CHECK(!r.verify.ok);
    CHECK(any_failure_mentions(r, "do not have the root of the checkpoint you kept"));
  }
  SECTION("a --subject bundle proves only a kept checkpoint of its own size") {
    const fs::path subject = export_to(s.t, "subject", subject_only("M-1"));
    const BundleReport other_size = verify(subject, a);
    CHECK(!other_size.verify.ok);
    CHECK(any_failure_mentions(other_size, "give --operator-key"));
    a.checkpoint = s.t.ledger->checkpoint();
    CHECK(verify(subject, a).verify.ok);
  }
}

TEST_CASE("A malformed kept checkpoint is bad input, not a verdict", "[ledger][bundle]") {
  Story s;
  const fs::path bundle = export_to(s.t, "bundle");
  BundleAnchors a = anchors_of(s.t);
  a.checkpoint = "not a checkpoint\n";
  auto r = verify_bundle(bundle, a);
  REQUIRE(!r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK_THAT(r.error().message, Catch::Contains("--checkpoint"));
}

TEST_CASE("Tampering with any file of a bundle is named", "[ledger][bundle][tamper]") {
  Story s;
  const fs::path bundle = export_to(s.t, "bundle", exploded());
  // Entry 2 is the survey plan's approval (person and organisation signatures); 3 a proposal.
  std::string expected;
  SECTION("an edited body") {
    std::string body = test::read_file(bundle / "acts/2.body");
    body[body.size() / 2] ^= 1;
    test::write_file(bundle / "acts/2.body", body);
    expected = "acts/2.body";
  }
  SECTION("a deleted body") {
    fs::remove(bundle / "acts/2.body");
    expected = "acts/2.body";
  }
  SECTION("a .p7s replaced by another entry's") {
    fs::copy_file(bundle / "acts/3.person.p7s", bundle / "acts/2.person.p7s", fs::copy_options::overwrite_existing);
    expected = "acts/2.person.p7s";
  }
  SECTION("a deleted .p7s") {
    fs::remove(bundle / "acts/2.organisation.p7s");
    expected = "acts/2.organisation.p7s";
  }
  SECTION("an edited index line") {
    std::string index = test::read_file(bundle / "acts/index.tsv");
    index.replace(index.find("\n2\tperson"), 9, "\n2\torganisation");
    test::write_file(bundle / "acts/index.tsv", index);
    expected = "acts/index.tsv";
  }
  SECTION("a deleted index line") {
    std::string index = test::read_file(bundle / "acts/index.tsv");
    const auto at = index.find("\n3\t");
    index.erase(at, index.find('\n', at + 1) - at);
    test::write_file(bundle / "acts/index.tsv", index);
    expected = "acts/index.tsv";
  }
  SECTION("an edited README") {
    std::string readme = test::read_file(bundle / "README.txt");
    readme += "  antq verify-bundle . --operator-key operator.vkey --trust trust.pem\n";
    test::write_file(bundle / "README.txt", readme);
    expected = "README.txt";
  }
  SECTION("a signer certificate removed") {
    fs::remove(bundle / ("certs/" + to_hex(s.t.office.fingerprint) + ".der"));
    expected = "certs/" + to_hex(s.t.office.fingerprint) + ".der";
  }
  SECTION("an extra body for an entry the bundle lacks") {
    fs::copy_file(bundle / "acts/2.body", bundle / "acts/99.body");
    expected = "acts/99.body";
  }
  const BundleReport r = verify(bundle, anchors_of(s.t));
  INFO(failures(r));
  CHECK(!r.verify.ok);
  REQUIRE(file(r, expected));
  CHECK(file(r, expected)->status == BundleFile::Status::failed);
  CHECK(any_failure_mentions(r, expected + ": "));
}

TEST_CASE("A subject bundle holds the subject's acts with proofs, and a removal its files reveal fails",
          "[ledger][bundle]") {
  TestLedger t;
  // The decision carries a document; a proposal of another subject does not belong in M-1's bundle.
  const fs::path doc = t.tmp / "decision.txt";
  test::write_file(doc, "Kế hoạch khảo sát");
  json act = plan_approved("M-1");
  act["attachments"] = json::array({{{"item", "1"}, {"path", doc.string()}, {"media_type", "text/plain"}}});
  t.admit(act);
  t.admit(make_act("model.proposed", "M-2", "2023-03-15"));
  t.admit(make_act("survey.reported", "M-1", "2023-05-01", {{"findings", "trộm cắp vặt"}}));
  const fs::path bundle = export_to(t, "subject", subject_only("M-1"));
  const BundleReport good = verify(bundle, anchors_of(t));
  INFO(failures(good));
  REQUIRE(good.verify.ok);
  CHECK(good.verify.entries == 2);
  for (const auto& f : good.files) {
    INFO(f.path << ": " << f.reason);
    CHECK(f.status == (f.path == "profile.json" ? BundleFile::Status::unchecked : BundleFile::Status::checked));
  }
  CHECK_THAT(test::read_file(bundle / "README.txt"), Catch::Contains("What this bundle cannot prove"));

  // Remove the decision (seq 2) from entries.bin and proofs.json: its document, named by no entry now, reveals it.
  std::string bin = test::read_file(bundle / "entries.bin");
  const std::uint32_t first = static_cast<unsigned char>(bin[0]) | static_cast<unsigned char>(bin[1]) << 8 |
                              static_cast<unsigned char>(bin[2]) << 16 | static_cast<unsigned char>(bin[3]) << 24;
  test::write_file(bundle / "entries.bin", bin.substr(4 + first));
  json proofs = json::parse(test::read_file(bundle / "proofs.json"));
  REQUIRE(proofs["entries"][0]["seq"] == 2);
  proofs["entries"].erase(0);
  test::write_file(bundle / "proofs.json", proofs.dump(1) + "\n");
  const BundleReport cut = verify(bundle, anchors_of(t));
  INFO(failures(cut));
  CHECK(!cut.verify.ok);
  const Digest digest = sha256(as_bytes(test::read_file(doc)));
  CHECK(file(cut, "attachments/" + to_hex(digest))->status == BundleFile::Status::failed);
  CHECK(any_failure_mentions(cut, "not named by any entry"));
}

TEST_CASE("A subject bundle carries the records acts that name the subject or its documents", "[ledger][bundle]") {
  TestLedger t;
  t.bind_commune_from("2008-01-01");
  auto document = [&](json act, const std::string& name, const std::string& text) {
    const fs::path doc = t.tmp / name;
    test::write_file(doc, text);
    act["attachments"] = json::array({{{"item", "13"}, {"path", doc.string()}, {"media_type", "text/plain"}}});
    return act;
  };
  json founding = plan_approved("M-1");
  founding["date"] = "2009-03-01";
  t.admit(founding);                                                        // 4
  json other = plan_approved("M-7");
  other["date"] = "2009-03-01";
  t.admit(other);                                                           // 5
  // A commune's commendation of 2010: kept 10 years by the provisional schedule, then it may be disposed of.
  t.admit(document(make_act("commendation.awarded", "M-1", "2010-12-20", {{"form", "giay-khen"}, {"level", "commune"}, {"year", 2010}}),
                   "commendation.txt", "Giấy khen năm 2010"));              // 6
  const std::string digest = to_hex(sha256(as_bytes(std::string("Giấy khen năm 2010"))));
  auto records = [&](const std::string& kind, json data, bool by_unit = false) {
    json a{{"act", kind},
           {"subject", "ledger"},
           {"date", "2024-01-10"},
           {"document", {{"number", "1/" + kind}, {"title", kind}, {"issuer", "Lưu trữ"}}},
           {"authority", test::kCommune},
           {"data", std::move(data)}};
    require_ok(by_unit ? t.record(a) : t.append({test::sign(a, t.admin)}));
  };
  records("record.held", {{"targets", json::array({"M-1"})}, {"reason", "inspection"}});          // 7
  records("record.held", {{"targets", json::array({"M-7"})}, {"reason", "another subject"}});     // 8
  records("record.released", {{"targets", json::array({"M-1"})}});                                // 9
  records("record.disposed", {{"attachments", json::array({digest})}, {"reason", "retention period over"}}, true);  // 10

  const fs::path bundle = export_to(t, "subject", subject_only("M-1"));
  json proofs = json::parse(test::read_file(bundle / "proofs.json"));
  std::vector<std::uint64_t> seqs;
  for (const auto& e : proofs["entries"]) seqs.push_back(e["seq"].get<std::uint64_t>());
  CHECK(seqs == std::vector<std::uint64_t>{4, 6, 7, 9, 10});

  // The disposed document is in no bundle made since: the record.disposed entry in the bundle accounts for it.
  CHECK_FALSE(fs::exists(bundle / "attachments" / digest));
  const BundleReport r = verify(bundle, anchors_of(t));
  INFO(failures(r));
  CHECK(r.verify.ok);
}

TEST_CASE("A document an entry names is missing: a failure unless a record.disposed entry accounts for it",
          "[ledger][bundle]") {
  TestLedger t;
  const fs::path doc = t.tmp / "decision.txt";
  test::write_file(doc, "Kế hoạch khảo sát");
  json act = plan_approved("M-1");
  act["attachments"] = json::array({{{"item", "1"}, {"path", doc.string()}, {"media_type", "text/plain"}}});
  t.admit(act);
  const fs::path bundle = export_to(t, "bundle");
  const std::string digest = to_hex(sha256(as_bytes(test::read_file(doc))));
  fs::remove(bundle / "attachments" / digest);
  const BundleReport r = verify(bundle, anchors_of(t));
  CHECK(!r.verify.ok);
  CHECK(file(r, "attachments/" + digest)->status == BundleFile::Status::failed);
  CHECK(any_failure_mentions(r, "no record.disposed entry"));
}

TEST_CASE("Files the verifier does not know are listed as unchecked, and FORMAT.md of another version too",
          "[ledger][bundle]") {
  Story s;
  const fs::path bundle = export_to(s.t, "bundle");
  test::write_file(bundle / "notes.txt", "added by somebody");
  test::write_file(bundle / "FORMAT.md", test::read_file(bundle / "FORMAT.md") + "\nan edit\n");
  fs::create_symlink("/etc/passwd", bundle / "link");
  const BundleReport r = verify(bundle, anchors_of(s.t));
  INFO(failures(r));
  CHECK(r.verify.ok);
  CHECK(file(r, "notes.txt")->status == BundleFile::Status::unchecked);
  CHECK(file(r, "link")->status == BundleFile::Status::unchecked);
  CHECK_THAT(file(r, "link")->reason, Catch::Contains("not read"));
  CHECK(file(r, "FORMAT.md")->status == BundleFile::Status::unchecked);
  CHECK_THAT(file(r, "FORMAT.md")->reason, Catch::Contains("differs from this antq's copy"));
}

TEST_CASE("export creates its directory itself and refuses one that exists in any form", "[ledger][bundle]") {
  Story s;
  const fs::path target = s.t.tmp / "elsewhere";
  fs::create_directory(target);
  SECTION("an empty directory") {
    const fs::path out = s.t.tmp / "empty";
    fs::create_directory(out);
    auto r = export_bundle(*s.t.ledger, out, {});
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::bad_input);
    CHECK(fs::is_empty(out));
  }
  SECTION("a symlink to a directory") {
    const fs::path out = s.t.tmp / "link";
    fs::create_directory_symlink(target, out);
    auto r = export_bundle(*s.t.ledger, out, {});
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::bad_input);
    CHECK(fs::is_empty(target));
  }
  SECTION("a dangling symlink") {
    const fs::path out = s.t.tmp / "dangling";
    fs::create_symlink(target / "bundle", out);
    auto r = export_bundle(*s.t.ledger, out, {});
    REQUIRE(!r);
    CHECK(!fs::exists(target / "bundle"));
  }
  SECTION("a new directory: created without write permission for others") {
    const fs::path out = export_to(s.t, "fresh");
    struct stat st {};
    REQUIRE(::lstat(out.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & (S_IWGRP | S_IWOTH)) == 0);
  }
}

TEST_CASE("act_in_subject_bundle: the subject, its points, and records acts naming them or their documents",
          "[ledger][bundle]") {
  const Digest doc = sha256(as_bytes("a document"));
  const std::set<Digest> docs{doc};
  auto act = [](std::string kind, std::string subject, json data = json::object()) {
    Act a;
    a.act = std::move(kind);
    a.subject = std::move(subject);
    a.data = std::move(data);
    return a;
  };
  CHECK(act_in_subject_bundle(act("model.proposed", "M-1"), "M-1", docs));
  CHECK(act_in_subject_bundle(act("model.proposed", "M-1/P001"), "M-1", docs));
  CHECK(!act_in_subject_bundle(act("model.proposed", "M-10"), "M-1", docs));
  CHECK(act_in_subject_bundle(act("record.held", "ledger", {{"targets", {"M-1/P002"}}}), "M-1", docs));
  CHECK(act_in_subject_bundle(act("record.released", "ledger", {{"targets", {to_hex(doc)}}}), "M-1", docs));
  CHECK(act_in_subject_bundle(act("record.disposed", "ledger", {{"attachments", {to_hex(doc)}}}), "M-1", docs));
  CHECK(act_in_subject_bundle(act("archive.transferred", "ledger", {{"subjects", {"M-1"}}}), "M-1", docs));
  CHECK(!act_in_subject_bundle(act("archive.transferred", "ledger", {{"subjects", {"M-10"}}}), "M-1", docs));
  CHECK(!act_in_subject_bundle(act("authority.bound", "ledger", {{"certificate", to_hex(doc)}}), "M-1", docs));
}

}  // namespace
}  // namespace antq::ledger
