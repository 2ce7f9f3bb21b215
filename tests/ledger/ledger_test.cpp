#include "ledger/ledger.hpp"

#include <fmt/format.h>
#include <lmdb.h>

#include <catch2/catch.hpp>

#include "ledger/bundle.hpp"
#include "ledger/merkle.hpp"
#include "support.hpp"

namespace antq::ledger {
namespace {

using test::make_act;
using test::TestLedger;
using test::require_ok;
using nlohmann::json;

json proposed(int i) { return make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"); }

// Rewrites the stored bytes of entry `seq` through LMDB directly, as an attacker with file access would.
void tamper_entry(const std::filesystem::path& dir, std::uint64_t seq, std::size_t offset) {
  test::edit_database(dir, "entries", [&](MDB_txn* txn, MDB_dbi dbi) {
    std::uint8_t k[8];
    for (int i = 7; i >= 0; --i, seq >>= 8) k[i] = static_cast<std::uint8_t>(seq);
    MDB_val key{8, k}, val;
    REQUIRE(mdb_get(txn, dbi, &key, &val) == 0);
    std::string bytes(static_cast<char*>(val.mv_data), val.mv_size);
    REQUIRE(offset < bytes.size());
    bytes[offset] ^= 0x01;
    MDB_val changed{bytes.size(), bytes.data()};
    REQUIRE(mdb_put(txn, dbi, &key, &changed, 0) == 0);
  });
}

TEST_CASE("Appended events are numbered in order and the whole ledger verifies", "[ledger]") {
  TestLedger t;
  auto seqs = t.record(make_act("survey.plan-approved", "M-1", "2023-03-01", {{"purpose", "khảo sát tình hình ANTT"}}));
  REQUIRE(seqs);
  CHECK(*seqs == std::vector<std::uint64_t>{2});
  REQUIRE(t.append({test::sign(proposed(11), t.chair), test::sign(proposed(12), t.chair)}));
  CHECK(t.ledger->size() == 5);
  auto report = t.verify();
  INFO((report.failures.empty() ? "" : report.failures[0].reason));
  CHECK(report.ok);
  CHECK(report.entries == 5);
  CHECK(report.signatures == 6);
  CHECK(report.checkpoints == 4);  // init, the two bindings, the survey plan's approval, the pair of proposals
  CHECK(report.root == t.ledger->root(5));
}

TEST_CASE("Proofs from the stored tree verify against the stored roots", "[ledger]") {
  TestLedger t;
  for (int i = 0; i < 9; ++i) REQUIRE(t.append({test::sign(proposed(i), t.chair)}));
  const std::uint64_t n = t.ledger->size();
  for (std::uint64_t size = 1; size <= n; ++size) {
    for (std::uint64_t seq = 0; seq < size; ++seq) {
      Digest leaf = leaf_hash(*t.ledger->entry_bytes(seq));
      CHECK(verify_inclusion(seq, size, leaf, t.ledger->inclusion_proof(seq, size), t.ledger->root(size)));
    }
    for (std::uint64_t first = 1; first <= size; ++first)
      CHECK(verify_consistency(first, size, t.ledger->root(first), t.ledger->root(size), t.ledger->consistency_proof(first, size)));
  }
}

// Rewrites (or, with `remove`, deletes) the stored tree node (level, index) through LMDB directly.
void tamper_node(const std::filesystem::path& dir, unsigned level, std::uint64_t index, bool remove = false) {
  test::edit_database(dir, "nodes", [&](MDB_txn* txn, MDB_dbi dbi) {
    std::uint8_t k[9] = {static_cast<std::uint8_t>(level)};
    for (int i = 8; i >= 1; --i, index >>= 8) k[i] = static_cast<std::uint8_t>(index);
    MDB_val key{9, k}, val;
    REQUIRE(mdb_get(txn, dbi, &key, &val) == 0);
    if (remove) {
      REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
      return;
    }
    std::string bytes(static_cast<char*>(val.mv_data), val.mv_size);
    bytes[0] ^= 0x01;
    MDB_val changed{bytes.size(), bytes.data()};
    REQUIRE(mdb_put(txn, dbi, &key, &changed, 0) == 0);
  });
}

TEST_CASE("verify checks every stored tree node the log implies, at every level", "[ledger][tamper]") {
  struct Case {
    unsigned level;
    std::uint64_t index;
    bool remove;
    std::uint64_t seq;  // the entry whose leaf completes the node
    std::string says;
  };
  const Case cases[] = {{0, 0, false, 0, "leaf hash of entry 0 differs"},
                        {0, 7, false, 7, "leaf hash of entry 7 differs"},
                        {0, 10, true, 10, "leaf hash of entry 10 differs"},
                        {1, 2, false, 5, "stored tree node (level 1, index 2) differs"},
                        {2, 1, true, 7, "stored tree node (level 2, index 1) differs"},
                        {3, 0, false, 7, "stored tree node (level 3, index 0) differs"}};
  TestLedger t;
  for (int i = 0; i < 9; ++i) REQUIRE(t.append({test::sign(proposed(i), t.chair)}));  // 11 entries
  REQUIRE(t.verify().ok);
  for (const Case& c : cases) {
    DYNAMIC_SECTION("node (level " << c.level << ", index " << c.index << ") " << (c.remove ? "deleted" : "altered")) {
      t.ledger.reset();
      tamper_node(t.dir(), c.level, c.index, c.remove);
      t.reopen();
      auto report = t.verify();
      CHECK_FALSE(report.ok);
      REQUIRE_FALSE(report.failures.empty());  // the first, in log order (a bad binding fails the entries after it)
      CHECK(report.failures[0].seq == c.seq);
      CHECK_THAT(report.failures[0].reason, Catch::Contains(c.says));
    }
  }
}

// The `bodies` record of entry `seq`'s body: its key (the body's SHA-256).
std::string body_key(Ledger& ledger, std::uint64_t seq) {
  auto entry = decode_entry(*ledger.entry_bytes(seq));
  REQUIRE(entry);
  const Digest d = sha256(entry->event.body);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string seq_value(std::uint64_t seq) {
  std::string v(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) v[static_cast<std::size_t>(i)] = static_cast<char>(seq);
  return v;
}

TEST_CASE("verify checks the bodies index: every body's record, no record of another, duplicates", "[ledger][tamper]") {
  TestLedger t;
  for (int i = 0; i < 6; ++i) REQUIRE(t.append({test::sign(proposed(i), t.chair)}));  // entries 2..7
  REQUIRE(t.verify().ok);
  const std::string key4 = body_key(*t.ledger, 4);
  // Edits of `bodies` through LMDB directly, the ledger closed meanwhile.
  auto edit = [&](const std::function<void(MDB_txn*, MDB_dbi)>& change) {
    t.ledger.reset();
    test::edit_database(t.dir(), "bodies", change);
    t.reopen();
  };
  auto put_record = [&](const std::string& key, const std::string& value) {
    edit([&](MDB_txn* txn, MDB_dbi dbi) {
      MDB_val k = test::mval(key), v = test::mval(value);
      REQUIRE(mdb_put(txn, dbi, &k, &v, 0) == 0);
    });
  };
  auto delete_record = [&](const std::string& key) {
    edit([&](MDB_txn* txn, MDB_dbi dbi) {
      MDB_val k = test::mval(key);
      REQUIRE(mdb_del(txn, dbi, &k, nullptr) == 0);
    });
  };
  auto reasons = [](const VerifyReport& r) {
    std::string all;
    for (const auto& f : r.failures) all += (f.seq ? std::to_string(*f.seq) : std::string("-")) + ": " + f.reason + "\n";
    return all;
  };

  SECTION("a record deleted") {
    delete_record(key4);
    auto r = t.verify();
    INFO(reasons(r));
    CHECK_FALSE(r.ok);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].seq == 4);
    CHECK_THAT(r.failures[0].reason, Catch::Contains("the `bodies` index does not point at this entry"));
  }
  SECTION("a record pointing at another entry") {
    put_record(key4, seq_value(5));
    auto r = t.verify();
    INFO(reasons(r));
    CHECK_FALSE(r.ok);
    REQUIRE(r.failures.size() == 2);
    CHECK(r.failures[0].seq == 4);
    CHECK_THAT(r.failures[0].reason, Catch::Contains("the `bodies` index does not point at this entry"));
    CHECK_FALSE(r.failures[1].seq.has_value());
    CHECK_THAT(r.failures[1].reason, Catch::Contains("that points at no entry with that body"));
  }
  SECTION("a record of no entry's body") {
    put_record(std::string(32, 'x'), seq_value(2));
    auto r = t.verify();
    INFO(reasons(r));
    CHECK_FALSE(r.ok);
    REQUIRE(r.failures.size() == 1);
    CHECK_FALSE(r.failures[0].seq.has_value());
    CHECK_THAT(r.failures[0].reason, Catch::Contains("the `bodies` index has a record (7878"));
  }
  SECTION("a body stored twice") {
    // Made as someone with file access and a program of their own could: the record of entry 4's body deleted, the
    // same act signed again and appended by rules that take anything (the domain's refuse a second proposal), the
    // record put back. The tree and checkpoints are then those of a log that holds the body twice.
    struct TakesAnything final : Admission {
      Status admit(const Candidate&, StateStore&) override { return {}; }
    } anything;
    delete_record(key4);
    REQUIRE(t.ledger->append({test::sign(proposed(2), t.chair)}, anything));
    REQUIRE(body_key(*t.ledger, 8) == key4);
    put_record(key4, seq_value(4));
    auto r = t.verify();
    INFO(reasons(r));
    CHECK_FALSE(r.ok);
    REQUIRE_FALSE(r.failures.empty());
    CHECK(r.failures[0].seq == 8);
    CHECK_THAT(r.failures[0].reason, Catch::Contains("refused [duplicate]"));
  }
}

TEST_CASE("The latest checkpoint is signed by the operator and names the current root", "[ledger]") {
  TestLedger t;
  auto vkey = parse_verifier_key(t.ledger->info().verifier_key);
  REQUIRE(vkey);
  auto cp = open_checkpoint(t.ledger->checkpoint(), *vkey);
  REQUIRE(cp);
  CHECK(cp->size == 2);
  CHECK(cp->root == t.ledger->root(2));
  CHECK(test::read_file(t.dir() / "operator.vkey") == t.ledger->info().verifier_key + "\n");
}

TEST_CASE("Refused events write nothing, in a batch with good ones too", "[ledger]") {
  TestLedger t;
  REQUIRE(t.append({test::sign(proposed(1), t.chair)}));
  const std::string before = t.data_bytes();
  const std::uint64_t size = t.ledger->size();

  SECTION("a duplicate of an admitted act") {
    auto r = t.append({test::sign(proposed(2), t.chair), test::sign(proposed(1), t.chair)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "duplicate");
    CHECK_THAT(r.error().message, Catch::Contains("admitted before as entry 2"));
  }
  SECTION("the same act twice in one batch") {
    auto r = t.append({test::sign(proposed(3), t.chair), test::sign(proposed(3), t.chair)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "duplicate");
  }
  SECTION("a signer bound to no unit") {
    auto stranger = t.pki.issue("stranger");
    auto r = t.append({test::sign(proposed(4), stranger)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "authority");
    CHECK_THAT(r.error().line(), Catch::StartsWith("refused [authority]: "));
  }
  SECTION("a decision without the organisation's signature") {
    auto r = t.record(make_act("survey.plan-approved", "M-9", "2023-03-01", {{"purpose", "x"}}), false);
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "authority");
    CHECK_THAT(r.error().message, Catch::Contains("needs the organisation signature"));
  }
  SECTION("a registry act not signed by the administrator") {
    auto r = t.append({test::sign(test::bind_act(t.chair, "administrator"), t.chair)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "authority");
  }
  SECTION("a signature made by a certificate from an untrusted root") {
    auto rogue = t.pki.issue("rogue", {}, /*self_signed=*/true);
    auto r = t.append({test::sign(proposed(5), rogue)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "signature");
  }
  SECTION("a signing time later than admission") {
    signing::SignOptions later;
    later.signing_time = signing::now() + 3600;
    auto r = t.append({test::sign(proposed(6), t.chair, nullptr, later)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "signature");
    CHECK_THAT(r.error().message, Catch::Contains("later than admission"));
  }
  SECTION("a signing time when the certificate had expired") {
    signing::CertificateRequest old;
    old.not_before = signing::now() - 800 * 86400;
    old.not_after = signing::now() - 400 * 86400;
    auto expired = t.pki.issue("expired", old);
    REQUIRE(t.append({test::sign(test::bind_act(expired, "person"), t.admin)}));
    const std::string bound = t.data_bytes();
    auto r = t.append({test::sign(proposed(7), expired)});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "signature");
    CHECK(t.data_bytes() == bound);
    return;
  }
  SECTION("an organisation signature made before the person's") {
    signing::SignOptions person_time;
    person_time.signing_time = signing::now() - 60;
    auto s = test::sign(make_act("survey.plan-approved", "M-10", "2023-03-01", {{"purpose", "x"}}),
                        t.chair, nullptr, person_time);
    // Made with the signing library directly: `antq sign` would refuse to add it.
    auto key = signing::PrivateKey::load(t.office.files.key);
    REQUIRE(key);
    signing::SignOptions earlier;
    earlier.signing_time = signing::now() - 3600;
    auto cms = signing::cms_sign(s.event.body, *key, t.office.certificate, earlier);
    REQUIRE(cms);
    s.event.signatures.push_back({Role::organisation, sha256(t.office.certificate), *cms});
    auto r = t.append({s});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "signature");
    CHECK_THAT(r.error().message, Catch::Contains("was made before the person's"));
  }
  SECTION("a body altered after signing") {
    auto s = test::sign(proposed(8), t.chair);
    s.event.body = encode_body(act_from_json(proposed(9), "a", ".")->act);
    auto r = t.append({s});
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "signature");
  }
  CHECK(t.ledger->size() == size);
  CHECK(t.data_bytes() == before);
}

TEST_CASE("An event signed by stock `openssl cms -sign` is admitted", "[ledger][openssl]") {
  TestLedger t;
  test::TempDir tmp;
  Bytes body = encode_body(act_from_json(proposed(1), "a", ".")->act);
  test::write_file(tmp / "body", std::string(body.begin(), body.end()));
  std::string out;
  int rc = test::run(fmt::format("openssl cms -sign -binary -cades -md sha256 -in {} -signer {} -inkey {} -outform DER -out {}",
                                 test::quote(tmp / "body"), test::quote(t.chair.files.cert), test::quote(t.chair.files.key),
                                 test::quote(tmp / "sig.p7s")), &out);
  INFO(out);
  REQUIRE(rc == 0);
  std::string cms = test::read_file(tmp / "sig.p7s");
  Submission s;
  s.event.body = body;
  s.event.signatures.push_back({Role::person, t.chair.fingerprint, Bytes(cms.begin(), cms.end())});
  auto r = t.append({s});
  INFO((r ? "" : r.error().line()));
  REQUIRE(r);
  CHECK(t.verify().ok);
}

TEST_CASE("Changing one byte of a stored entry makes verify name that seq", "[ledger][tamper]") {
  TestLedger t;
  for (int i = 0; i < 6; ++i) REQUIRE(t.append({test::sign(proposed(i), t.chair)}));
  t.ledger.reset();
  tamper_entry(t.dir(), 4, 200);
  t.reopen();
  auto report = t.verify();
  CHECK_FALSE(report.ok);
  REQUIRE_FALSE(report.failures.empty());
  REQUIRE(report.failures.front().seq);
  CHECK(*report.failures.front().seq == 4);
  CHECK_THAT(report.failures.front().reason, Catch::Contains("entry 4"));
}

TEST_CASE("A ledger of several verification chunks verifies, and a change deep inside it is named", "[ledger][tamper]") {
  // verify works in chunks of 2,048 entries, decoding one while replaying the one before: cross a few boundaries.
  TestLedger t;
  constexpr int kEvents = 4200, kBatch = 700;  // 4,202 entries with the two bindings: three chunks
  for (int first = 0; first < kEvents; first += kBatch) {
    std::vector<Submission> batch;
    for (int i = first; i < first + kBatch; ++i) batch.push_back(test::sign(proposed(i), t.chair));
    require_ok(t.append(batch));
  }
  const std::uint64_t size = t.ledger->size();
  auto report = t.verify();
  INFO((report.failures.empty() ? "" : report.failures[0].reason));
  CHECK(report.ok);
  CHECK(report.entries == size);
  CHECK(report.signatures == size);
  CHECK(report.root == t.ledger->root(size));

  t.ledger.reset();
  tamper_entry(t.dir(), 4100, 200);
  t.reopen();
  report = t.verify();
  CHECK_FALSE(report.ok);
  REQUIRE(report.failures.size() >= 1);
  REQUIRE(report.failures.front().seq);
  CHECK(*report.failures.front().seq == 4100);
}

TEST_CASE("An older copy of the ledger fails verify against a newer checkpoint, and a fork fails too", "[ledger][checkpoint]") {
  TestLedger t;
  REQUIRE(t.append({test::sign(proposed(1), t.chair)}));
  test::TempDir copies;
  std::filesystem::copy(t.dir(), copies / "old");
  REQUIRE(t.append({test::sign(proposed(2), t.chair)}));
  const std::string newer = t.ledger->checkpoint();
  CHECK(t.verify(newer).ok);

  auto old = Ledger::open(copies / "old");
  REQUIRE(old);
  test::require_ok((*old)->use_operator_key(t.operator_key));  // the operator's own copy
  auto replay = *projections::make_admission("hoa-binh-2023");
  VerifyOptions o;
  o.checkpoint = newer;
  auto report = (*old)->verify(o, *replay);
  CHECK_FALSE(report.ok);
  CHECK_THAT(report.failures.back().reason, Catch::Contains("older than the checkpoint"));

  // A fork: the old copy takes another act at the same position.
  REQUIRE((*old)->append({test::sign(proposed(3), t.chair)}, *t.admission));
  auto forked = (*old)->verify(o, **projections::make_admission("hoa-binh-2023"));
  CHECK_FALSE(forked.ok);
  CHECK_THAT(forked.failures.back().reason, Catch::Contains("forked"));
}

TEST_CASE("A CA certificate a signature carries in hides no chain and is not kept, nor does one in a bundle",
          "[ledger][signing]") {
  TestLedger t;
  const auto now = signing::now();
  signing::CertificateRequest ca;
  ca.common_name = "Provincial CA";
  ca.organisation = "antq tests";
  ca.is_ca = true;
  ca.not_before = now - 400 * 86400;
  ca.not_after = now + 3650 * 86400;
  auto intermediate = signing::issue_certificate(ca, &t.pki.root());
  REQUIRE(intermediate);
  // A ward chairman under the intermediate: his first act carries it in (his certificate file holds it), in the
  // append that carries the forgery below, after it.
  signing::CertificateRequest person;
  person.common_name = "Ward chairman";
  person.organisation = "antq tests";
  person.not_before = now - 365 * 86400;
  person.not_after = now + 365 * 86400;
  auto issued = signing::issue_certificate(person, &*intermediate);
  REQUIRE(issued);
  const test::TempDir files;
  test::Identity ward{{(files / "ward.key").string(), (files / "ward-chain.pem").string()},
                      issued->certificate_der,
                      sha256(issued->certificate_der)};
  test::write_file(ward.files.key, issued->private_key_pem);
  test::write_file(ward.files.cert, signing::certificate_to_pem(issued->certificate_der) +
                                        signing::certificate_to_pem(intermediate->certificate_der));
  require_ok(t.append({test::sign(test::bind_act(ward, "person"), t.admin)}));

  // The commune chairman's certificate file carries a forgery in: the intermediate's name and key under a root of
  // the trusted root's name (another key), made until it sorts before the intermediate (OpenSSL would take the first
  // it meets for the issuer of the ward chairman's certificate).
  signing::CertificateRequest root = ca;
  root.common_name = "Test Root CA";
  auto forged_root = signing::issue_certificate(root, nullptr);
  REQUIRE(forged_root);
  signing::CertificateRequest copy = ca;
  copy.key_pem = intermediate->private_key_pem;
  Bytes forged;
  for (int i = 0; i < 256 && (forged.empty() || sha256(forged) > sha256(intermediate->certificate_der)); ++i) {
    auto f = signing::issue_certificate(copy, &*forged_root);
    REQUIRE(f);
    forged = f->certificate_der;
  }
  REQUIRE(sha256(forged) < sha256(intermediate->certificate_der));
  test::Identity carrier = t.chair;
  carrier.files.cert = (files / "chair-and-forgery.pem").string();
  test::write_file(carrier.files.cert,
                   signing::certificate_to_pem(t.chair.certificate) + signing::certificate_to_pem(forged));
  require_ok(t.append({test::sign(proposed(2), carrier), test::sign(proposed(1), ward)}));
  // The intermediate is kept (the ward chairman's chain holds it); the forgery, which no chain holds, is not.
  const auto held = t.ledger->intermediates();
  CHECK(std::find(held.begin(), held.end(), forged) == held.end());
  CHECK(std::find(held.begin(), held.end(), intermediate->certificate_der) != held.end());

  // The ward chairman's next act, his file without the intermediate: its chain is built from the ledger's.
  test::Identity bare = ward;
  bare.files.cert = (files / "ward.pem").string();
  test::write_file(bare.files.cert, signing::certificate_to_pem(issued->certificate_der));
  require_ok(t.append({test::sign(proposed(3), bare)}));
  t.reopen();
  require_ok(t.append({test::sign(proposed(4), bare)}));
  auto report = t.verify(t.ledger->checkpoint());
  std::string reasons;
  for (const auto& f : report.failures) reasons += f.reason + "\n";
  INFO(reasons);
  CHECK(report.ok);

  // A bundle of the ledger with the forgery added to certs/ (as a mirror's copy may hold what a server listed): it
  // verifies against the operator key and the root, the forgery listed as a CA certificate no chain uses.
  const auto bundle = t.tmp / "bundle";
  require_ok(export_bundle(*t.ledger, bundle, {}));
  const std::string forged_path = "certs/" + to_hex(sha256(forged)) + ".der";
  test::write_file(bundle / forged_path, std::string(forged.begin(), forged.end()));
  BundleAnchors anchors;
  auto key = parse_verifier_key(t.ledger->info().verifier_key);
  REQUIRE(key);
  anchors.operator_key = *key;
  anchors.trust = std::vector<Bytes>{t.pki.root().certificate_der};
  auto verified = verify_bundle(bundle, anchors);
  if (!verified) FAIL(verified.error().line());
  reasons.clear();
  for (const auto& f : verified->verify.failures) reasons += f.reason + "\n";
  INFO(reasons);
  CHECK(verified->verify.ok);
  auto listed = std::find_if(verified->files.begin(), verified->files.end(),
                             [&](const BundleFile& f) { return f.path == forged_path; });
  REQUIRE(listed != verified->files.end());
  CHECK(listed->status == BundleFile::Status::unchecked);
}

TEST_CASE("Garbage given as a signed event is refused before anything is written", "[ledger]") {
  TestLedger t;
  const std::string before = t.data_bytes();
  CHECK(decode_submission(as_bytes("not a capnp message")).error().kind == ErrorKind::bad_input);
  Submission s = test::sign(proposed(1), t.chair);
  s.event.signatures[0].cms.resize(10);
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  Submission empty;
  empty.event.body = s.event.body;
  r = t.append({empty});
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "signature");
  CHECK(t.data_bytes() == before);
}

TEST_CASE("Opening a directory without a ledger says so", "[ledger]") {
  test::TempDir tmp;
  auto r = Ledger::open(tmp.path());
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("holds no ledger"));
}

TEST_CASE("state_around finds a key's neighbours within its prefix, never those of a neighbouring prefix", "[ledger]") {
  TestLedger t;
  // TL-1's acts in three half-years: snapshots at the end of the first two; the third is subject/TL-1.
  t.admit(make_act("survey.plan-approved", "TL-1", "2023-02-01"));
  // asof/TL-10@… and asof/TL-1/X@… sort before asof/TL-1@…, asof/TL-1A@… after it.
  for (const char* id : {"TL-10", "TL-1/X", "TL-1A"}) {
    t.admit(make_act("survey.plan-approved", id, "2023-03-01"));
    t.admit(make_act("survey.reported", id, "2023-12-01"));
  }
  t.admit(make_act("survey.reported", "TL-1", "2023-06-01"));
  t.admit(make_act("model.proposed", "TL-1", "2023-12-01"));
  const std::string prefix = "asof/TL-1@";
  auto around = [&](const std::string& date) {
    auto n = t.ledger->state_around(prefix, prefix + date);
    return std::pair{n.at_or_before ? n.at_or_before->first.substr(prefix.size()) : "-",
                     n.after ? n.after->first.substr(prefix.size()) : "-"};
  };
  using P = std::pair<std::string, std::string>;
  CHECK(around("2023-01-01") == P{"-", "2023-04-30"});
  CHECK(around("2023-04-30") == P{"2023-04-30", "2023-10-31"});
  CHECK(around("2023-05-15") == P{"2023-04-30", "2023-10-31"});
  CHECK(around("2023-10-31") == P{"2023-10-31", "-"});
  CHECK(around("2024-01-01") == P{"2023-10-31", "-"});
  auto n = t.ledger->state_around(prefix, prefix + "2023-05-15");
  REQUIRE(n.at_or_before);
  REQUIRE(n.after);
  CHECK(json::parse(n.at_or_before->second)["last_date"] == "2023-02-01");
  CHECK(json::parse(n.after->second)["last_date"] == "2023-06-01");
  auto none = t.ledger->state_around("asof/TL-2@", "asof/TL-2@2023-05-15");
  CHECK_FALSE(none.at_or_before);
  CHECK_FALSE(none.after);
}

}  // namespace
}  // namespace antq::ledger
