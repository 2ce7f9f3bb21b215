// antq export and antq verify-bundle end to end (issue 18, points 1 and 7): verification anchored outside the
// bundle, a bundle forged from scratch with stock openssl, tampering with each kind of file, and an export that
// creates its directory itself.
#include <fmt/format.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "ledger/event.hpp"
#include "demo.hpp"

namespace antq::test {
namespace {

// The commune demo, and copies of its bundle to tamper with.
struct BundleDemo : CommuneDemo {
  // The auditor's anchors: the operator's key as `antq init` wrote it beside the ledger, and the roots of the PKI.
  std::string anchors() const {
    return " --operator-key " + quote(ledger() / "operator.vkey") + " --trust " + quote(pki("roots.pem"));
  }
  // A fresh copy of the demo's bundle, to tamper with.
  fs::path copy_of_bundle(const std::string& name) const {
    const fs::path copy = tmp / name;
    fs::copy(bundle(), copy, fs::copy_options::recursive);
    return copy;
  }
};

// `antq verify-bundle BUNDLE EXTRA --json`: the exit code and the parsed report.
std::pair<int, json> verify_json(const fs::path& bundle, const std::string& extra) {
  std::string out;
  const int status = run(kAntq + " verify-bundle " + quote(bundle) + extra + " --json", &out);
  INFO(out);
  json j = json::parse(out, nullptr, false);
  REQUIRE(!j.is_discarded());
  return {status, j};
}

const json* file_in(const json& report, const std::string& path) {
  for (const json& f : report["files"])
    if (f["path"] == path) return &f;
  return nullptr;
}

// The entries of entries.bin as (seq, bytes), in file order.
std::vector<std::pair<std::uint64_t, std::string>> entries_of(const fs::path& bundle) {
  const std::string bin = read_file(bundle / "entries.bin");
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (std::size_t pos = 0; pos + 4 <= bin.size();) {
    std::uint32_t n = 0;
    for (int i = 3; i >= 0; --i) n = n << 8 | static_cast<unsigned char>(bin[pos + i]);
    std::string bytes = bin.substr(pos + 4, n);
    auto entry = ledger::decode_entry(as_bytes(bytes));
    REQUIRE(entry);
    out.emplace_back(entry->seq, std::move(bytes));
    pos += 4 + n;
  }
  return out;
}

void write_entries(const fs::path& bundle, const std::vector<std::pair<std::uint64_t, std::string>>& entries) {
  std::string bin;
  for (const auto& [seq, bytes] : entries) {
    const auto n = static_cast<std::uint32_t>(bytes.size());
    for (int i = 0; i < 4; ++i) bin += static_cast<char>(n >> (8 * i));
    bin += bytes;
  }
  write_file(bundle / "entries.bin", bin);
}

// Removes entry `seq` and its proof from a --subject bundle, as somebody hiding an act would.
void remove_entry(const fs::path& bundle, std::uint64_t seq) {
  auto entries = entries_of(bundle);
  auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == seq; });
  REQUIRE(it != entries.end());
  entries.erase(it);
  write_entries(bundle, entries);
  json proofs = json::parse(read_file(bundle / "proofs.json"));
  json kept = json::array();
  for (const json& p : proofs["entries"])
    if (p["seq"] != seq) kept.push_back(p);
  proofs["entries"] = kept;
  write_file(bundle / "proofs.json", proofs.dump(1) + "\n");
}

TEST_CASE("verify-bundle with the operator key and roots checks every file of a good bundle", "[cli][bundle]") {
  BundleDemo demo;
  std::string out;
  REQUIRE(run(kAntq + " verify-bundle " + quote(demo.bundle()) + demo.anchors(), &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("verified") && Catch::Contains("result       OK:") &&
                      Catch::Contains("acts/index.tsv") && Catch::Contains("acts/*.p7s (19)") &&
                      Catch::Contains("acts/*.body (14)") && !Catch::Contains("NOT ANCHORED"));
  CHECK_THAT(out, Catch::Contains("unchecked    profile.json: the rule profile given at init is kept beside the log"));

  auto [status, report] = verify_json(demo.bundle(), demo.anchors());
  CHECK(status == 0);
  CHECK(report["ok"] == true);
  CHECK(report["consistent"] == true);
  CHECK(report["anchored"] == true);
  CHECK(report["anchors"] == json{{"operator_key", true}, {"checkpoint", false}, {"trust", true}});
  CHECK(report["not_anchored"].is_null());
  // The whole log, not one subject's entries.
  CHECK_THAT(out, Catch::Contains("holds        the whole log: " + report["entries"].dump() +
                                  " entries, the checkpoint's tree of " + report["tree_size"].dump()));
  CHECK(report["subject"].is_null());
  CHECK(report["tree_size"] == report["entries"]);
  CHECK(run(kAntq + " verify-bundle " + quote(demo.bundle()) + demo.anchors() + " --whole", &out) == 0);
  std::size_t files = 0;
  for (const auto& f : fs::recursive_directory_iterator(demo.bundle())) files += f.is_regular_file();
  REQUIRE(report["files"].size() == files);
  for (const json& f : report["files"]) {
    INFO(f.dump());
    // Nothing in the bundle proves the profile given at init: it is the one file listed as unchecked.
    CHECK(f["status"] == (f["path"] == "profile.json" ? "unchecked" : "checked"));
  }
  // The README shows the anchored command, with the auditor's own copies.
  CHECK_THAT(read_file(demo.bundle() / "README.txt"),
             Catch::Contains("antq verify-bundle BUNDLE --operator-key OPERATOR.vkey --trust ROOTS.pem") &&
                 Catch::Contains("YOUR OWN copies"));
}

TEST_CASE("Without anchors verify-bundle says plainly what it checked and exits 1, unless told it is enough",
          "[cli][bundle]") {
  BundleDemo demo;
  std::string out;
  CHECK(run(kAntq + " verify-bundle " + quote(demo.bundle()), &out) == 1);
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("NOT ANCHORED: only the bundle's consistency with itself was checked.") &&
                      Catch::Contains("give --operator-key or --checkpoint") && Catch::Contains("give --trust") &&
                      Catch::Contains("result       NOT ANCHORED"));
  CHECK(run(kAntq + " verify-bundle " + quote(demo.bundle()) + " --self-consistent-only", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("NOT ANCHORED:") && Catch::Contains("OK AS SELF-CONSISTENT ONLY"));

  // One anchor is not enough.
  CHECK(run(kAntq + " verify-bundle " + quote(demo.bundle()) + " --trust " + quote(demo.pki("roots.pem")), &out) == 1);
  CHECK_THAT(out, Catch::StartsWith("NOT ANCHORED:") && !Catch::Contains("give --trust"));
  auto [status, report] = verify_json(demo.bundle(), " --operator-key " + quote(demo.ledger() / "operator.vkey"));
  CHECK(status == 1);
  CHECK(report["ok"] == false);
  CHECK(report["consistent"] == true);
  CHECK(report["anchored"] == false);
  CHECK_THAT(report["not_anchored"].get<std::string>(), Catch::Contains("give --trust"));
  CHECK((*file_in(report, "trust.pem"))["status"] == "unchecked");

  // A checkpoint kept earlier anchors the operator key as well.
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &out) == 0);
  write_file(demo.tmp / "kept.txt", out);
  CHECK(run(kAntq + " verify-bundle " + quote(demo.bundle()) + " --checkpoint " + quote(demo.tmp / "kept.txt") +
                " --trust " + quote(demo.pki("roots.pem")),
            &out) == 0);
}

// A forger's own PKI made with stock openssl: a root CA and end-entity certificates for `names`, in `dir`.
void openssl_pki(const fs::path& dir, const std::vector<std::string>& names) {
  fs::create_directories(dir);
  write_file(dir / "ee.cnf", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n");
  const std::string d = quote(dir);
  auto ok = [](const std::string& command) {
    std::string out;
    INFO(command << "\n-> " << out);
    REQUIRE(run(command, &out) == 0);
  };
  ok("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + d + "/ca.key");
  // The same subject as the demo's root: names prove nothing.
  ok("openssl req -x509 -new -key " + d +
     "/ca.key -subj '/CN=antq demo root CA/O=antq-ledger demo' -days 3650 "
     "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out " +
     d + "/ca.crt");
  for (const std::string& name : names) {
    ok("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + d + "/" + name + ".key");
    ok("openssl req -new -key " + d + "/" + name + ".key -subj '/CN=" + name + "/O=forger' -out " + d + "/" + name +
       ".csr");
    ok("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/ca.crt -CAkey " + d +
       "/ca.key -CAcreateserial "
       "-days 365 -extfile " +
       d + "/ee.cnf -out " + d + "/" + name + ".crt");
  }
}

std::string fingerprint(const fs::path& cert) {
  std::string out;
  REQUIRE(run("openssl x509 -in " + quote(cert) + " -outform DER | sha256sum | cut -c1-64", &out) == 0);
  return out.substr(0, 64);
}

TEST_CASE("A bundle forged from scratch under the real origin fails against the real operator key and roots",
          "[cli][bundle][forgery]") {
  BundleDemo demo;
  const fs::path f = demo.tmp / "forger";
  openssl_pki(f / "pki", {"admin", "chair", "office"});
  const std::string vkey = read_file(demo.ledger() / "operator.vkey");
  const std::string origin = vkey.substr(0, vkey.find('+'));
  std::string out;
  // The forger's own operator key, made by init (not the demo's, which ANTQ_OPERATOR_KEY names).
  const std::string forger =
      "ANTQ_OPERATOR_KEY=" + quote(f / "operator.pem") + " ANTQ_OPERATOR_PASSPHRASE=forger " + kAntq;
  REQUIRE(run(forger + " init " + quote(f / "ledger") + " --profile hoa-binh-2023 --trust " + quote(f / "pki/ca.crt") +
                  " --admin " + quote(f / "pki/admin.crt") + " --origin " + quote(origin),
              &out) == 0);
  const std::string admin = quote(f / "pki/admin.key") + ":" + quote(f / "pki/admin.crt");
  for (const auto& [who, role] : {std::pair{"chair", "person"}, std::pair{"office", "organisation"}}) {
    json bind{{"act", "authority.bound"},
              {"subject", "ledger"},
              {"date", "2023-01-02"},
              {"data",
               {{"certificate", fingerprint(f / "pki" / (std::string(who) + ".crt"))},
                {"role", role},
                {"unit", "UBND xã Tân Lập"},
                {"level", "commune"},
                {"from", "2023-01-01"}}}};
    write_file(f / "bind.json", bind.dump());
    REQUIRE(run(forger + " record " + quote(f / "ledger") + " " + quote(f / "bind.json") + " --person " + admin,
                &out) == 0);
  }
  json forged{{"act", "survey.plan-approved"},
              {"subject", "MS-TL-FORGED"},
              {"date", "2024-03-01"},
              {"document", {{"number", "99/QĐ-UBND"}, {"title", "Quyết định giả"}, {"issuer", "UBND xã Tân Lập"}}},
              {"authority", {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}}},
              {"data", {{"purpose", "Mô hình giả"}}}};
  write_file(f / "forged.json", forged.dump());
  REQUIRE(run(forger + " record " + quote(f / "ledger") + " " + quote(f / "forged.json") + " --person " +
                  quote(f / "pki/chair.key") + ":" + quote(f / "pki/chair.crt") + " --org " +
                  quote(f / "pki/office.key") + ":" + quote(f / "pki/office.crt"),
              &out) == 0);
  const fs::path bundle = f / "bundle";
  REQUIRE(run(kAntq + " export " + quote(f / "ledger") + " " + quote(bundle) + " --explode", &out) == 0);
  REQUIRE_THAT(read_file(bundle / "checkpoint"), Catch::StartsWith(origin + "\n"));

  // Checked against itself the forgery is consistent (what verify-bundle used to call OK), and it says no more.
  CHECK(run(kAntq + " verify-bundle " + quote(bundle) + " --self-consistent-only", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("NOT ANCHORED:"));
  CHECK(run(kAntq + " verify-bundle " + quote(bundle), &out) == 1);

  // Against the real operator key and roots it fails, naming the key, the checkpoint and the signatures.
  CHECK(run(kAntq + " verify-bundle " + quote(bundle) + demo.anchors(), &out) == 1);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("FAILED") && Catch::Contains("operator.vkey: not the operator key given") &&
                      Catch::Contains("checkpoint: not signed by the operator key given") &&
                      Catch::Contains("refused [signature]") && !Catch::Contains("NOT ANCHORED"));
  auto [status, report] = verify_json(bundle, demo.anchors());
  CHECK(status == 1);
  CHECK(report["ok"] == false);
  CHECK(report["anchored"] == true);
  CHECK((*file_in(report, "operator.vkey"))["status"] == "failed");
  CHECK((*file_in(report, "checkpoint"))["status"] == "failed");
  CHECK((*file_in(report, "trust.pem"))["status"] == "unchecked");
  CHECK_THAT((*file_in(report, "trust.pem"))["reason"].get<std::string>(), Catch::Contains("not used"));

  // A checkpoint kept from the real ledger fails it too.
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &out) == 0);
  write_file(demo.tmp / "kept.txt", out);
  CHECK(run(kAntq + " verify-bundle " + quote(bundle) + " --checkpoint " + quote(demo.tmp / "kept.txt") + " --trust " +
                quote(demo.pki("roots.pem")),
            &out) == 1);
  CHECK_THAT(out, Catch::Contains("the checkpoint you kept (--checkpoint) is not signed by"));
}

TEST_CASE("Each kind of tampering with a bundle fails verify-bundle and names the file", "[cli][bundle][tamper]") {
  BundleDemo demo;
  const fs::path b = demo.copy_of_bundle("tampered");
  // An entry signed by the person and the organisation (acts/index.tsv lists every signature).
  const std::string index = read_file(b / "acts/index.tsv");
  const auto org_line = index.rfind('\n', index.find("\torganisation\t"));
  REQUIRE(org_line != std::string::npos);
  const std::string seq = index.substr(org_line + 1, index.find('\t', org_line) - org_line - 1);
  std::string path;  // the file expected to be named
  SECTION("a deleted attachment") {
    for (const auto& f : fs::directory_iterator(b / "attachments"))
      path = "attachments/" + f.path().filename().string();
    REQUIRE(!path.empty());
    fs::remove(b / path);
  }
  SECTION("an edited act body") {
    path = "acts/" + seq + ".body";
    std::string body = read_file(b / path);
    body[body.size() - 3] ^= 1;
    write_file(b / path, body);
  }
  SECTION("a deleted act body") {
    path = "acts/" + seq + ".body";
    fs::remove(b / path);
  }
  SECTION("an edited signature file") {
    path = "acts/" + seq + ".person.p7s";
    std::string p7s = read_file(b / path);
    p7s[p7s.size() - 5] ^= 1;
    write_file(b / path, p7s);
  }
  SECTION("a deleted signature file") {
    path = "acts/" + seq + ".organisation.p7s";
    REQUIRE(fs::remove(b / path));
  }
  SECTION("an edited index.tsv") {
    path = "acts/index.tsv";
    std::string edited = index;
    const auto tab = edited.find('\t', org_line + 1 + seq.size() + 1);  // after the role: the signer
    edited[tab + 1] = edited[tab + 1] == 'a' ? 'b' : 'a';
    write_file(b / path, edited);
  }
  SECTION("an attachment swollen to 300 MB (sparse: it costs the disk nothing, and verify-bundle no memory)") {
    for (const auto& f : fs::directory_iterator(b / "attachments"))
      path = "attachments/" + f.path().filename().string();
    REQUIRE(!path.empty());
    fs::resize_file(b / path, 300u << 20);
  }
  SECTION("an entries.bin swollen to 5 GB (sparse)") {
    path = "entries.bin";
    fs::resize_file(b / path, std::uintmax_t{5} << 30);
  }
  SECTION("an entries.bin of 64 MiB of zeros (sparse): each four bytes would be an entry of no length") {
    path = "entries.bin";
    fs::resize_file(b / path, 0);
    fs::resize_file(b / path, 64u << 20);
  }
  SECTION("an entries.bin of 64 MiB of short entries that do not decode") {
    path = "entries.bin";
    const std::string one = std::string("\x80\x00\x00\x00", 4) + std::string(128, 'x');  // a length of 128, junk
    std::string junk;
    while (junk.size() < (64u << 20)) junk += one;
    write_file(b / path, junk);
  }
  SECTION("a trust.pem that is a PKCS#12 file (never opened: its key derivation runs as long as the file asks)") {
    path = "trust.pem";
    REQUIRE(run("openssl pkcs12 -export -nokeys -in " + quote(b / path) + " -passout pass:x -out " +
                quote(b / "trust.p12") + " && mv " + quote(b / "trust.p12") + " " + quote(b / path)) == 0);
  }
  SECTION("an edited README.txt") {
    path = "README.txt";
    std::string readme = read_file(b / path);
    const std::string anchored = "antq verify-bundle BUNDLE --operator-key OPERATOR.vkey --trust ROOTS.pem";
    readme.replace(readme.find(anchored), anchored.size(), "antq verify-bundle .");
    write_file(b / path, readme);
  }
  std::string out;
  // Under a limit on the heap, so that a file read in full however large fails the test instead of the machine.
  CHECK(run("ulimit -d 2097152; " + kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("FAILED"));
  // The bundle's own failures come first: without entries every acts/ file fails too, after entries.bin's line.
  CHECK_THAT(out, Catch::Contains(path + ": "));
  auto [status, report] = verify_json(b, demo.anchors());
  CHECK(status == 1);
  REQUIRE(file_in(report, path));
  CHECK((*file_in(report, path))["status"] == "failed");
  if (fs::exists(b / path) && fs::file_size(b / path) >= 300u << 20)
    CHECK_THAT(report.dump(), Catch::Contains(path + ": not a regular file (a symlink or a special file), larger than"));
}

TEST_CASE("An edited profile.json is never reported as checked: nothing in the bundle proves it",
          "[cli][bundle][tamper]") {
  BundleDemo demo;
  const fs::path b = demo.copy_of_bundle("tampered");
  write_file(b / "profile.json", read_file(b / "profile.json") + " ");
  std::string out;
  run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out);
  CHECK_THAT(out, Catch::Contains("unchecked    profile.json: the rule profile given at init is kept beside the log, "
                                  "not in it: nothing in the bundle proves it"));
  auto [status, report] = verify_json(b, demo.anchors());
  CHECK((*file_in(report, "profile.json"))["status"] == "unchecked");
}

TEST_CASE("export --subject writes the subject's entries with proofs, and an entry removed with its proof is revealed",
          "[cli][bundle][tamper]") {
  BundleDemo demo;
  const std::string subject = "MS-TL-TDCTQ";
  std::string out;
  for (const std::string explode : {"", " --explode"}) {
    const fs::path b = demo.tmp / ("subject" + explode.substr(explode.empty() ? 0 : 3));
    REQUIRE(run(kAntq + " export " + quote(demo.ledger()) + " " + quote(b) + " --subject " + subject + explode, &out) ==
            0);
    REQUIRE(run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 0);
    // Told apart from a whole log's bundle (a backup cut down to one subject would pass otherwise unnoticed).
    CHECK_THAT(out, Catch::Contains("holds        subject " + subject + " only: "));
    auto [status, report] = verify_json(b, demo.anchors());
    CHECK(report["subject"] == subject);
    CHECK(report["tree_size"].get<std::uint64_t>() > report["entries"].get<std::uint64_t>());
    CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors() + " --whole", &out) == 1);
    CHECK_THAT(out, Catch::Contains("first: proofs.json: a --subject bundle (of " + subject + "), not the whole log"));
    // Not what was asked for, though consistent with itself.
    auto [whole_status, whole] = verify_json(b, demo.anchors() + " --whole");
    CHECK(whole_status == 1);
    CHECK(whole["ok"] == false);
    CHECK(whole["consistent"] == true);
    CHECK(whole["failures"].size() == 1);
    CHECK_THAT(read_file(b / "README.txt"),
               Catch::Contains("What this bundle cannot prove") && Catch::Contains("leaves no trace"));
  }
  // A proofs.json larger than its entries' proofs can be, or nested deeper than they are: refused, read no further.
  {
    const fs::path b = demo.tmp / "subject-proofs";
    REQUIRE(run(kAntq + " export " + quote(demo.ledger()) + " " + quote(b) + " --subject " + subject, &out) == 0);
    write_file(b / "proofs.json", std::string(1u << 20, '['));
    CHECK(run("ulimit -d 1048576; " + kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
    CHECK_THAT(out, Catch::Contains("proofs.json: not a regular file (a symlink or a special file), larger than"));
    write_file(b / "proofs.json", std::string(500, '[') + std::string(500, ']'));
    CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
    CHECK_THAT(out, Catch::Contains("proofs.json: nested deeper than 4 levels of arrays and objects") &&
                        !Catch::Contains("the whole log"));
    CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors() + " --whole", &out) == 1);
    CHECK_THAT(out, Catch::Contains("first: proofs.json: a --subject bundle (of ?), not the whole log"));
    fs::resize_file(b / "entries.bin", 0);  // an empty bundle's sparse proofs.json of 1 GB is not read at all
    fs::resize_file(b / "proofs.json", 1u << 30);
    CHECK(run("ulimit -d 1048576; " + kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
    CHECK_THAT(out, Catch::Contains("proofs.json: not a regular file (a symlink or a special file), larger than"));
  }
  // Without acts/: the establishment decision removed with its proof; its document, named by no entry now, shows it.
  {
    const fs::path b = demo.tmp / "subject";
    std::uint64_t with_document = 0;
    for (const auto& [seq, bytes] : entries_of(b)) {
      auto entry = ledger::decode_entry(as_bytes(bytes));
      auto act = ledger::decode_body(entry->event.body);
      REQUIRE(act);
      if (!act->attachments.empty()) with_document = seq;
    }
    REQUIRE(with_document != 0);
    remove_entry(b, with_document);
    CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("not named by any entry of the bundle"));
  }
  // With acts/: any entry removed with its proof leaves its acts/ files and index line behind.
  {
    const fs::path b = demo.tmp / "subjectexplode";
    const std::uint64_t seq = entries_of(b)[3].first;
    remove_entry(b, seq);
    CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 1);
    INFO(out);
    CHECK_THAT(out, Catch::Contains(fmt::format("acts/{}.body: names entry {}, which entries.bin lacks", seq, seq)) &&
                        Catch::Contains("acts/index.tsv: differs"));
  }
}

TEST_CASE("export refuses an existing directory or a symlink and writes nothing, and a failed export removes its files",
          "[cli][bundle]") {
  BundleDemo demo;
  std::string out;
  const fs::path target = demo.tmp / "target";
  fs::create_directory(target);
  auto refused = [&](const fs::path& out_dir, const std::string& expected) {
    const int status = run(kAntq + " export " + quote(demo.ledger()) + " " + quote(out_dir), &out);
    INFO(out);
    CHECK(status == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains(expected));
  };
  refused(target, "exists");
  CHECK(fs::is_empty(target));
  fs::create_directory_symlink(target, demo.tmp / "link");
  refused(demo.tmp / "link", "exists");
  CHECK(fs::is_empty(target));
  fs::create_symlink(target / "planted", demo.tmp / "dangling");
  refused(demo.tmp / "dangling", "exists");
  CHECK(!fs::exists(target / "planted"));
  write_file(demo.tmp / "file", "x");
  refused(demo.tmp / "file", "exists");
  CHECK(read_file(demo.tmp / "file") == "x");

  // A write that fails half-way (RLIMIT_FSIZE: bash counts KiB) leaves no bundle behind.
  const fs::path cut = demo.tmp / "cut";
  const int status =
      run("trap '' XFSZ; ulimit -f 4; " + kAntq + " export " + quote(demo.ledger()) + " " + quote(cut) + " --explode",
          &out);
  INFO(out);
  CHECK(status == 2);
  CHECK(lines_of(out) == 1);
  CHECK(!fs::exists(cut));

  // A new bundle directory nobody else may write to.
  REQUIRE(run("umask 000; " + kAntq + " export " + quote(demo.ledger()) + " " + quote(demo.tmp / "fresh"), &out) == 0);
  struct stat st {};
  REQUIRE(::lstat((demo.tmp / "fresh").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
}

TEST_CASE("verify-bundle: anchors that are not what they should be are bad input", "[cli][bundle]") {
  BundleDemo demo;
  write_file(demo.tmp / "junk", "junk\n");
  const std::string b = kAntq + " verify-bundle " + quote(demo.bundle());
  for (const std::string option : {"--operator-key", "--trust", "--checkpoint"}) {
    std::string out;
    const std::string command = b + " " + option + " " + quote(demo.tmp / "junk") +
                                (option == "--trust" ? " --operator-key " + quote(demo.ledger() / "operator.vkey")
                                                     : " --trust " + quote(demo.pki("roots.pem")));
    INFO(command << "\n-> " << out);
    CHECK(run(command, &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains(option == "--operator-key" ? "verifier key" : option));
  }
  std::string out;
  CHECK(run(kAntq + " verify-bundle " + quote(demo.tmp / "nope"), &out) == 2);
  CHECK(lines_of(out) == 1);
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

TEST_CASE("A crafted file name in a bundle is shown escaped: no terminal control, valid JSON", "[cli][bundle]") {
  BundleDemo demo;
  const fs::path b = demo.copy_of_bundle("named");
  write_file(b / "bad\xff\x1b[2J\xe2\x80\xaename", "x");
  std::string out;
  CHECK(run(kAntq + " verify-bundle " + quote(b) + demo.anchors(), &out) == 0);
  INFO(out);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK_THAT(out, Catch::Contains("bad\\xff\\x1b[2J\\u202ename: not a file antq export writes"));
  auto [status, report] = verify_json(b, demo.anchors());
  CHECK(status == 0);
  CHECK(file_in(report, "bad\\xff\\x1b[2J\\u202ename"));
}

}  // namespace
}  // namespace antq::test
