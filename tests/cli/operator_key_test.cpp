// Issue 18 point 9, end to end: the operator's key is not part of the ledger. `antq init` writes it outside the
// ledger's directory, encrypted, and says where; every command that appends finds it by --operator-key, by
// ANTQ_OPERATOR_KEY or in the default place, or refuses with one line; a ledger that still holds operator.key works
// with a warning; no copy, bundle or export carries a private key; and `antq sign` says when a key file has no
// passphrase. Every command here runs with its own XDG_CONFIG_HOME and stdin on /dev/null: nothing touches the home
// directory of whoever runs the tests, and nothing waits for a prompt.
#include <sys/stat.h>

#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support.hpp"

namespace antq::test {
namespace {

constexpr const char* kPassphrase = "correct horse battery staple";

// Every regular file under `dir` that holds private key material (signing::private_key_material), with the reason.
std::vector<std::string> key_material_under(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string content = read_file(entry.path());
    if (auto why = signing::private_key_material(as_bytes(content)))
      found.push_back(entry.path().string() + ": " + *why);
  }
  return found;
}

std::size_t count_lines(const std::string& s, std::string_view starting = "") {
  std::size_t n = 0;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) n += line.starts_with(starting);
  return n;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// A PKI (administrator, commune chairman) and the place of a ledger, with a configuration directory of its own.
struct Operator {
  Operator() : pki(tmp / "pki") {
    admin = pki.issue("admin");
    chair = pki.issue("chair");
    write_file(tmp / "bind.json", bind_act(chair, "person").dump());
  }
  fs::path ledger() const { return tmp / "ledger"; }
  fs::path config() const { return tmp / "config"; }
  // Where init puts the key of the ledger "ledger" (origin antq-ledger/ledger) when nothing else is named.
  fs::path default_key() const { return config() / "antq" / "operator-keys" / "antq-ledger_ledger.pem"; }
  std::string data() const { return read_file(ledger() / "data.mdb"); }

  // `antq ARGS` with this test's configuration directory, no operator key or passphrase but those in `env`
  // ("NAME=value ..."), and stdin on /dev/null.
  int antq(const std::string& args, std::string* out, const std::string& env = "") const {
    return run("env -u ANTQ_OPERATOR_KEY -u ANTQ_OPERATOR_PASSPHRASE XDG_CONFIG_HOME=" + quote(config()) + " " + env +
                   " " + kAntq + " " + args + " </dev/null",
               out);
  }
  std::string with_passphrase(const std::string& more = "") const {
    return "ANTQ_OPERATOR_PASSPHRASE=" + quote(kPassphrase) + " " + more;
  }
  int init(std::string* out, const std::string& options = "", const std::string& env = "",
           const fs::path& dir = {}) const {
    return antq("init " + quote(dir.empty() ? ledger() : dir) + " --profile hoa-binh-2023 --trust " +
                    quote(pki.roots_pem()) + " --admin " + quote(admin.files.cert) + " " + options,
                out, env.empty() ? with_passphrase() : env);
  }
  std::string admin_signer() const { return quote(admin.files.key) + ":" + quote(admin.files.cert); }
  std::string chair_signer() const { return quote(chair.files.key) + ":" + quote(chair.files.cert); }
  // A new act of the chairman's (once bound) in tmp/NAME.json.
  fs::path act(const std::string& name) const {
    const fs::path file = tmp / (name + ".json");
    write_file(file, make_act("model.proposed", name, "2023-03-01").dump());
    return file;
  }
  std::string record_chair(const fs::path& act) const {
    return "record " + quote(ledger()) + " " + quote(act) + " --person " + chair_signer();
  }

  TempDir tmp;
  Pki pki;
  Identity admin, chair;
};

TEST_CASE("antq init writes the operator's key outside the ledger, encrypted, and says where in one line",
          "[cli][operator-key]") {
  Operator op;
  std::string out;
  REQUIRE(op.init(&out) == 0);
  INFO(out);
  // One line says where the key is, that it is new and encrypted, and that backups of the ledger lack it.
  std::istringstream lines(out);
  std::string line;
  std::size_t said = 0;
  while (std::getline(lines, line))
    if (line.starts_with("operator key: ")) {
      ++said;
      CHECK_THAT(line, Catch::Contains(op.default_key().string() + " (new, encrypted)") &&
                           Catch::Contains("backups of " + op.ledger().string() + " do not include it"));
    }
  CHECK(said == 1);

  // The ledger holds no private key in any file; the key sits in the default place, 0600 in a 0700 directory.
  CHECK(key_material_under(op.ledger()).empty());
  CHECK_FALSE(fs::exists(op.ledger() / ledger::kLegacyOperatorKeyFile));
  REQUIRE(fs::exists(op.default_key()));
  CHECK(mode_of(op.default_key()) == 0600);
  CHECK(mode_of(op.default_key().parent_path()) == 0700);
  CHECK(mode_of(op.config() / "antq") == 0700);

  // Encrypted: stock openssl opens it with the passphrase only.
  CHECK_THAT(read_file(op.default_key()), Catch::StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  CHECK(run("openssl pkey -in " + quote(op.default_key()) + " -passin pass:wrong -noout") != 0);
  CHECK(run("openssl pkey -in " + quote(op.default_key()) + " -passin " + quote(std::string("pass:") + kPassphrase) +
            " -noout") == 0);

  // --help says where the key goes and how its passphrase is given.
  REQUIRE(op.antq("init --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("operator-keys/ORIGIN.pem") && Catch::Contains("ANTQ_OPERATOR_PASSPHRASE") &&
                      Catch::Contains("ANTQ_OPERATOR_KEY") && Catch::Contains("never in DIR"));
}

TEST_CASE("Appends find the operator key by --operator-key, ANTQ_OPERATOR_KEY or the default place, else refuse",
          "[cli][operator-key]") {
  Operator op;
  std::string out;
  REQUIRE(op.init(&out) == 0);
  // 1. The default place (what init wrote).
  REQUIRE(op.antq("record " + quote(op.ledger()) + " " + quote(op.tmp / "bind.json") + " --person " + op.admin_signer(),
                  &out, op.with_passphrase()) == 0);

  // The operator moves the key elsewhere: nothing finds it by itself now.
  const fs::path moved = op.tmp / "keys" / "operator.pem";
  fs::create_directories(moved.parent_path());
  fs::rename(op.default_key(), moved);
  const std::string before = op.data();
  const fs::path m1 = op.act("M-1");
  CHECK(op.antq(op.record_chair(m1), &out, op.with_passphrase()) == 2);
  INFO(out);
  CHECK(count_lines(out) == 1);
  CHECK_THAT(out, Catch::StartsWith("no operator key for the ledger " + op.ledger().string()) &&
                      Catch::Contains("none at " + op.default_key().string()) &&
                      Catch::Contains("give --operator-key FILE|URI or set ANTQ_OPERATOR_KEY"));
  CHECK(op.data() == before);
  // Nothing was signed either: the chairman's key was not even read (no warning about it).
  CHECK_THAT(out, !Catch::Contains("chair.key"));

  // 2. --operator-key, for record and for append.
  REQUIRE(op.antq(op.record_chair(m1) + " --operator-key " + quote(moved), &out, op.with_passphrase()) == 0);
  CHECK_THAT(out, Catch::Contains("model.proposed"));
  const fs::path m2 = op.act("M-2"), signed_m2 = op.tmp / "M-2.signed";
  REQUIRE(op.antq("sign " + quote(m2) + " --key " + quote(op.chair.files.key) + " --cert " +
                      quote(op.chair.files.cert) + " --role person -o " + quote(signed_m2),
                  &out) == 0);
  CHECK(op.antq("append " + quote(op.ledger()) + " " + quote(signed_m2), &out, op.with_passphrase()) == 2);
  CHECK_THAT(out, Catch::StartsWith("no operator key"));
  REQUIRE(op.antq("append " + quote(op.ledger()) + " " + quote(signed_m2) + " --operator-key " + quote(moved), &out,
                  op.with_passphrase()) == 0);

  // 3. ANTQ_OPERATOR_KEY, for record and for trust.
  REQUIRE(op.antq(op.record_chair(op.act("M-3")), &out, op.with_passphrase("ANTQ_OPERATOR_KEY=" + quote(moved))) == 0);
  const std::string add_tsa =
      "trust add-tsa " + quote(op.ledger()) + " " + quote(op.pki.roots_pem()) + " --admin " + op.admin_signer();
  const std::string before_trust = op.data();
  CHECK(op.antq(add_tsa, &out, op.with_passphrase()) == 2);
  CHECK(count_lines(out) == 1);
  CHECK_THAT(out, Catch::StartsWith("no operator key"));
  CHECK(op.data() == before_trust);
  REQUIRE(op.antq(add_tsa, &out, op.with_passphrase("ANTQ_OPERATOR_KEY=" + quote(moved))) == 0);
  REQUIRE(op.antq("trust add-tsa " + quote(op.ledger()) + " " + quote(op.chair.files.cert) + " --admin " +
                      op.admin_signer() + " --operator-key " + quote(moved),
                  &out, op.with_passphrase()) == 0);
  // --operator-key comes before ANTQ_OPERATOR_KEY.
  REQUIRE(op.antq(op.record_chair(op.act("M-4")) + " --operator-key " + quote(moved), &out,
                  op.with_passphrase("ANTQ_OPERATOR_KEY=/nonexistent")) == 0);

  // Reading commands need no key and say nothing about it.
  REQUIRE(op.antq("verify " + quote(op.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("OK: every entry, checkpoint and signature verifies") && !Catch::Contains("warning"));
  REQUIRE(op.antq("show " + quote(op.ledger()) + " M-1", &out) == 0);
  CHECK_THAT(out, !Catch::Contains("warning"));
}

TEST_CASE(
    "A wrong or missing passphrase, or a key that is not this ledger's, is refused with one line, nothing written",
    "[cli][operator-key]") {
  Operator op;
  std::string out;
  REQUIRE(op.init(&out) == 0);
  const std::string record =
      "record " + quote(op.ledger()) + " " + quote(op.tmp / "bind.json") + " --person " + op.admin_signer();
  const std::string before = op.data();
  auto refused = [&](const std::string& command, const std::string& env, const std::string& expected) {
    std::string got;
    const int status = op.antq(command, &got, env);
    INFO(command << "\n-> " << got);
    CHECK(status == 2);
    CHECK(count_lines(got) == 1);
    CHECK_THAT(got, Catch::Contains(expected));
    CHECK(op.data() == before);
  };
  refused(
      record, "ANTQ_OPERATOR_PASSPHRASE=wrong",
      "operator key " + op.default_key().string() + ": the passphrase in ANTQ_OPERATOR_PASSPHRASE does not decrypt it");
  refused(record, "",
          "operator key " + op.default_key().string() +
              " is encrypted: set ANTQ_OPERATOR_PASSPHRASE (or run at a terminal to be asked)");
  // Another Ed25519 key, and a key of another kind.
  REQUIRE(run("openssl genpkey -algorithm ed25519 -out " + quote(op.tmp / "other.pem")) == 0);
  refused(record + " --operator-key " + quote(op.tmp / "other.pem"), "",
          "operator key " + (op.tmp / "other.pem").string() + ": it is not the operator key of this ledger");
  refused(record + " --operator-key " + quote(op.admin.files.key), "", "ECDSA-P-256, not Ed25519");
  refused(record, "ANTQ_OPERATOR_KEY=" + quote(op.tmp / "missing.pem"), "ANTQ_OPERATOR_KEY: operator key file");
  // The right passphrase, and it works.
  REQUIRE(op.antq(record, &out, op.with_passphrase()) == 0);
}

TEST_CASE("antq init refuses a key inside the ledger, a second ledger of one origin or no passphrase, writing nothing",
          "[cli][operator-key]") {
  Operator op;
  std::string out;
  auto refused = [&](int status, const std::string& expected) {
    INFO(out);
    CHECK(status == 2);
    CHECK(count_lines(out) == 1);
    CHECK_THAT(out, Catch::Contains(expected));
    CHECK_FALSE(fs::exists(op.ledger()));
    CHECK_FALSE(fs::exists(op.default_key()));
  };
  refused(op.init(&out, "--operator-key " + quote(op.ledger() / "operator.pem")), "inside the ledger's directory");
  refused(op.init(&out, "--operator-key " + quote(op.ledger() / "keys" / ".." / "k.pem")),
          "inside the ledger's directory");
  refused(op.init(&out, "", op.with_passphrase("ANTQ_OPERATOR_KEY=" + quote(op.ledger() / "k.pem"))),
          "ANTQ_OPERATOR_KEY " + (op.ledger() / "k.pem").string() + " lies inside");
  refused(op.init(&out, "", "ANTQ_OPERATOR_PASSPHRASE="), "ANTQ_OPERATOR_PASSPHRASE is empty");
  refused(op.init(&out, "", "NO_PASSPHRASE=1"), "set ANTQ_OPERATOR_PASSPHRASE");

  REQUIRE(op.init(&out) == 0);
  const std::string first_key = read_file(op.default_key());
  // A second ledger whose directory is also named "ledger" has the same default origin: its key's place is taken.
  const fs::path second = op.tmp / "elsewhere" / "ledger";
  CHECK(op.init(&out, "", "", second) == 2);
  CHECK(count_lines(out) == 1);
  CHECK_THAT(out, Catch::Contains("another ledger has the origin antq-ledger/ledger") && Catch::Contains("--origin"));
  CHECK_FALSE(fs::exists(second));
  CHECK(read_file(op.default_key()) == first_key);
  REQUIRE(op.init(&out, "--origin antq-ledger/second", "", second) == 0);
  CHECK(fs::exists(op.config() / "antq" / "operator-keys" / "antq-ledger_second.pem"));

  // An existing key named by --operator-key is used as it is: encrypted, silently; unencrypted, with a warning.
  REQUIRE(run("openssl genpkey -algorithm ed25519 -aes-256-cbc -pass " + quote(std::string("pass:") + kPassphrase) +
              " -out " + quote(op.tmp / "kept.pem")) == 0);
  REQUIRE(op.init(&out, "--operator-key " + quote(op.tmp / "kept.pem"), "", op.tmp / "third") == 0);
  CHECK_THAT(out, Catch::Contains("operator key: " + (op.tmp / "kept.pem").string() + " -- not part of the ledger") &&
                      !Catch::Contains("warning"));
  REQUIRE(run("openssl genpkey -algorithm ed25519 -out " + quote(op.tmp / "plain.pem")) == 0);
  REQUIRE(op.init(&out, "--operator-key " + quote(op.tmp / "plain.pem"), "", op.tmp / "fourth") == 0);
  CHECK(count_lines(out, "warning: operator key " + (op.tmp / "plain.pem").string() + " is not encrypted") == 1);
  CHECK(key_material_under(op.tmp / "third").empty());
  CHECK(key_material_under(op.tmp / "fourth").empty());
}

TEST_CASE(
    "A ledger that still holds operator.key appends with a warning, export carries no key, and moving it out works",
    "[cli][operator-key]") {
  Operator op;
  std::string out;
  REQUIRE(op.init(&out) == 0);
  // As versions before issue 18 kept it: unencrypted, inside the directory, and nowhere else.
  const fs::path legacy = op.ledger() / ledger::kLegacyOperatorKeyFile;
  REQUIRE(run("openssl pkey -in " + quote(op.default_key()) + " -passin " + quote(std::string("pass:") + kPassphrase) +
              " -out " + quote(legacy)) == 0);
  fs::remove(op.default_key());

  REQUIRE(op.antq("record " + quote(op.ledger()) + " " + quote(op.tmp / "bind.json") + " --person " + op.admin_signer(),
                  &out) == 0);
  INFO(out);
  CHECK(count_lines(out, "warning: " + legacy.string() +
                             ": the operator's private key sits inside the ledger's "
                             "directory") == 1);
  CHECK_THAT(out, Catch::Contains("README, \"The operator's key\""));
  CHECK(count_lines(out, "warning: operator key") == 0);  // one warning for the key, not two
  // Reading commands say nothing.
  REQUIRE(op.antq("verify " + quote(op.ledger()), &out) == 0);
  CHECK_THAT(out, !Catch::Contains("warning"));

  // Exports never carry it, exploded or not.
  REQUIRE(op.antq("export " + quote(op.ledger()) + " " + quote(op.tmp / "bundle") + " --explode", &out) == 0);
  REQUIRE(op.antq("export " + quote(op.ledger()) + " " + quote(op.tmp / "plain-bundle"), &out) == 0);
  CHECK(key_material_under(op.tmp / "bundle").empty());
  CHECK(key_material_under(op.tmp / "plain-bundle").empty());
  // Nor does a backup.
  REQUIRE(op.antq("backup " + quote(op.ledger()) + " " + quote(op.tmp / "backup"), &out) == 0);
  CHECK(key_material_under(op.tmp / "backup").empty());
  CHECK_FALSE(fs::exists(op.tmp / "backup" / ledger::kLegacyOperatorKeyFile));
  CHECK(key_material_under(op.ledger()).size() == 1);  // the legacy file itself: what the warning is about

  // The README's way out: encrypt it with stock openssl into a file apart, check it is the same key, delete it.
  const fs::path moved = op.tmp / "operator.pem";
  REQUIRE(run("openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000 -in " + quote(legacy) +
              " -passout " + quote(std::string("pass:") + kPassphrase) + " -out " + quote(moved)) == 0);
  std::string old_public, new_public;
  REQUIRE(run("openssl pkey -in " + quote(legacy) + " -pubout", &old_public) == 0);
  REQUIRE(run("openssl pkey -in " + quote(moved) + " -passin " + quote(std::string("pass:") + kPassphrase) + " -pubout",
              &new_public) == 0);
  CHECK(old_public == new_public);
  fs::remove(legacy);
  REQUIRE(op.antq(op.record_chair(op.act("M-1")), &out, op.with_passphrase("ANTQ_OPERATOR_KEY=" + quote(moved))) == 0);
  CHECK(count_lines(out, "warning: " + legacy.string()) == 0);
  CHECK(count_lines(out, "warning: operator key") == 0);
  CHECK(key_material_under(op.ledger()).empty());
}

TEST_CASE("antq sign and record warn in one line when a key file has no passphrase, and sign all the same",
          "[cli][operator-key]") {
  Operator op;
  std::string out;
  const fs::path act = op.act("M-1"), signed_act = op.tmp / "M-1.signed";
  const std::string sign = "sign " + quote(act) + " --cert " + quote(op.chair.files.cert) + " --role person -o " +
                           quote(signed_act) + " --key ";
  // A PEM key without passphrase.
  REQUIRE(op.antq(sign + quote(op.chair.files.key), &out) == 0);
  INFO(out);
  CHECK(count_lines(out, "warning: ") == 1);
  CHECK(count_lines(out, "warning: key " + op.chair.files.key +
                             " is not encrypted: anyone who copies the file can sign as CN=chair") == 1);
  CHECK(fs::exists(signed_act));
  fs::remove(signed_act);

  // The same key encrypted, a PKCS#12 file with and without a password.
  const fs::path encrypted = op.tmp / "chair-encrypted.pem", open_p12 = op.tmp / "open.p12",
                 closed_p12 = op.tmp / "closed.p12";
  REQUIRE(run("openssl pkcs8 -topk8 -v2 aes-256-cbc -in " + quote(op.chair.files.key) + " -passout pass:s3cret -out " +
              quote(encrypted)) == 0);
  for (const auto& [file, password] : {std::pair{open_p12, ""}, std::pair{closed_p12, "s3cret"}})
    REQUIRE(run("openssl pkcs12 -export -inkey " + quote(op.chair.files.key) + " -in " + quote(op.chair.files.cert) +
                " -passout pass:" + password + " -out " + quote(file)) == 0);
  REQUIRE(op.antq(sign + quote(encrypted), &out, "ANTQ_KEY_PASSPHRASE=s3cret") == 0);
  CHECK(count_lines(out, "warning: ") == 0);
  fs::remove(signed_act);
  REQUIRE(op.antq(sign + quote(closed_p12), &out, "ANTQ_KEY_PASSPHRASE=s3cret") == 0);
  CHECK(count_lines(out, "warning: ") == 0);
  fs::remove(signed_act);
  REQUIRE(op.antq(sign + quote(open_p12), &out) == 0);
  CHECK(count_lines(out, "warning: key " + open_p12.string() + " is not encrypted") == 1);
  CHECK(fs::exists(signed_act));

  // record warns the same, once per key file.
  REQUIRE(op.init(&out) == 0);
  REQUIRE(op.antq("record " + quote(op.ledger()) + " " + quote(op.tmp / "bind.json") + " --person " + op.admin_signer(),
                  &out, op.with_passphrase()) == 0);
  CHECK(count_lines(out, "warning: ") == 1);
  CHECK(count_lines(out, "warning: key " + op.admin.files.key + " is not encrypted") == 1);
}

}  // namespace
}  // namespace antq::test
