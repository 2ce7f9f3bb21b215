// Issue 18 point 9: the operator's key is not part of the ledger. Ledger::init writes no private key into the
// directory, and append signs checkpoints only with the key the operator hands over, which must be this ledger's.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::ledger {
namespace {

using test::make_act;
using test::TestLedger;

// Every regular file under `dir` that holds private key material (signing::private_key_material), with the reason.
std::vector<std::string> key_material_under(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string content = test::read_file(entry.path());
    if (auto why = signing::private_key_material(as_bytes(content)))
      found.push_back(entry.path().string() + ": " + *why);
  }
  return found;
}

TEST_CASE("A new ledger's directory holds no private key, and still appends with the key handed over", "[ledger]") {
  TestLedger t;  // init, then two appends (the bindings)
  t.admit(make_act("model.proposed", "M-1", "2023-03-01"));
  CHECK(key_material_under(t.dir()).empty());
  CHECK_FALSE(std::filesystem::exists(t.dir() / kLegacyOperatorKeyFile));
  CHECK(t.verify().ok);
}

TEST_CASE("Without the operator's key a ledger reads but does not append", "[ledger]") {
  TestLedger t;
  t.ledger.reset();
  auto opened = Ledger::open(t.dir());
  REQUIRE(opened);
  const std::uint64_t size = (*opened)->size();
  const std::string before = t.data_bytes();
  auto r = (*opened)->append({test::sign(make_act("model.proposed", "M-1", "2023-03-01"), t.chair)}, *t.admission);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK_THAT(r.error().message, Catch::Contains("no operator key"));
  CHECK((*opened)->size() == size);
  CHECK(t.data_bytes() == before);
}

TEST_CASE("Another ledger's operator key is refused: its checkpoints would not verify", "[ledger]") {
  TestLedger t;
  auto other = test::new_operator_key();
  auto s = t.ledger->use_operator_key(other);
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == ErrorKind::bad_input);
  CHECK_THAT(s.error().message, Catch::Contains("not the operator key of this ledger"));
  // The ledger keeps the key it had.
  t.admit(make_act("model.proposed", "M-1", "2023-03-01"));
  CHECK(t.verify().ok);
}

TEST_CASE("init without an operator key is refused and writes nothing", "[ledger]") {
  test::TempDir tmp;
  test::Pki pki(tmp / "pki");
  const test::Identity admin = pki.issue("admin");
  InitOptions o;
  o.dir = tmp / "ledger";
  o.profile = "hoa-binh-2023";
  o.roots = {pki.root().certificate_der};
  o.administrator = admin.certificate;
  auto r = Ledger::init(o);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK_FALSE(std::filesystem::exists(o.dir));

  // before_writing runs once every check passed; its error stops init with nothing written.
  o.operator_key = test::new_operator_key();
  int calls = 0;
  o.before_writing = [&]() -> Status {
    ++calls;
    return bad_input("no passphrase");
  };
  r = Ledger::init(o);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "no passphrase");
  CHECK(calls == 1);
  CHECK_FALSE(std::filesystem::exists(o.dir));
}

}  // namespace
}  // namespace antq::ledger
