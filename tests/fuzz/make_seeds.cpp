// antq-fuzz-seeds: makes the fixed material (tests/fuzz/data/) and the seed corpora (tests/fuzz/corpus/<target>/)
// of the fuzz targets. Run by `tools/fuzz.sh --make-seeds`; its output is committed, and running it again makes
// new keys, so data/ and every seed change together.
//
//   antq-fuzz-seeds --antq PATH --pdf-fixture PATH --demo-pki PATH OUT_DIR
//
// Three sources, none of which leaves a private key in OUT_DIR:
//  - a demo ledger (`antq demo --commune-only`, its own PKI): acts, signed events, entries, bodies, checkpoints,
//    bundles (data/bundle/ holds every file of that bundle but checkpoint, entries.bin and proofs.json), the report
//    CSV, data.mdb (of its backup, and of a new ledger);
//  - a test chain made here (data/roots.pem, data/intermediates.pem, data/signers.pem: a root, an intermediate and
//    signers of every algorithm the policy allows): CMS signatures over data/cms-content.body, signed PDFs (made by
//    antq-pdf-fixture), their admission records, CRLs;
//  - the time-stamp authority of tools/demo-pki.sh (data/timestamp-authorities.pem): its replies (openssl ts
//    -reply) to requests for those signatures.
// Each corpus also gets a few edge cases written here (empty and truncated inputs, odd but valid forms).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/csv.hpp"
#include "cli/signer.hpp"
#include "ledger/bundle.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/event.hpp"
#include "ledger/ledger.hpp"
#include "projections/report.hpp"
#include "signing/signing.hpp"

namespace antq::fuzz_seeds {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

[[noreturn]] void die(const std::string& why) {
  std::cerr << "antq-fuzz-seeds: " << why << "\n";
  std::exit(1);
}
template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().line());
  return std::move(*r);
}
void must(const Status& s, const std::string& what) {
  if (!s) die(what + ": " + s.error().line());
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) die("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
Bytes read_bytes(const fs::path& p) {
  const std::string s = read_text(p);
  return Bytes(s.begin(), s.end());
}
void write(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) die("cannot write " + p.string());
}
void write(const fs::path& p, ByteView content) {
  write(p, std::string_view(reinterpret_cast<const char*>(content.data()), content.size()));
}

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) die("failed: " + command);
}
std::string shell_word(const fs::path& p) { return "'" + p.string() + "'"; }

// The seeds of one target: corpus/<target>/<name>.
class Corpus {
 public:
  Corpus(fs::path out, std::string target) : dir_(std::move(out) / "corpus" / target) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void add(const std::string& name, std::string_view content) { write(dir_ / name, content); }
  void add(const std::string& name, ByteView content) { write(dir_ / name, content); }

 private:
  fs::path dir_;
};

// ---- the test chain ----------------------------------------------------------------------------------------------

struct Signer {
  std::string name;  // for seed names
  signing::IssuedCertificate issued;
  std::vector<Bytes> chain;  // CA certificates between it and the root
};

struct Chain {
  signing::IssuedCertificate root, intermediate;
  std::vector<Signer> signers;
};

Chain make_chain(signing::UnixTime now) {
  auto request = [&](std::string cn, std::string algorithm, bool ca) {
    signing::CertificateRequest r;
    r.common_name = std::move(cn);
    r.organisation = "antq fuzz seeds (test keys, discarded)";
    r.key_algorithm = std::move(algorithm);
    r.not_before = now - 30 * 86400;
    r.not_after = now + 20 * 365 * 86400;
    r.is_ca = ca;
    return r;
  };
  Chain c;
  c.root = must(signing::issue_certificate(request("antq fuzz root CA", "p256", true), nullptr), "root");
  c.intermediate = must(signing::issue_certificate(request("antq fuzz intermediate CA", "p384", true), &c.root),
                        "intermediate");
  c.signers.push_back({"p256-via-intermediate",
                       must(signing::issue_certificate(request("Người ký P-256", "p256", false), &c.intermediate), "signer"),
                       {c.intermediate.certificate_der}});
  for (const char* algorithm : {"p384", "rsa2048", "ed25519"})
    c.signers.push_back({algorithm,
                         must(signing::issue_certificate(request(std::string("Signer ") + algorithm, algorithm, false),
                                                         &c.root), "signer"),
                         {}});
  return c;
}

// A key of the chain as PrivateKey::load reads it: from a file, deleted at once.
signing::PrivateKey load_key(const signing::IssuedCertificate& issued, const fs::path& scratch) {
  const fs::path p = scratch / "key.pem";
  write(p, issued.private_key_pem);
  auto key = must(signing::PrivateKey::load(p.string()), "key");
  fs::remove(p);
  return key;
}

std::string pem_of(const std::vector<Bytes>& certificates) {
  std::string out;
  for (const Bytes& der : certificates) out += signing::certificate_to_pem(der);
  return out;
}

// ---- the targets' seeds ------------------------------------------------------------------------------------------

constexpr std::string_view kBundleSeparator = "\n--antq-fuzz-next-file--\n";  // bundle_fuzz.cpp

void cms_seeds(const fs::path& out, const Chain& chain, const Bytes& content, const fs::path& scratch) {
  Corpus corpus(out, "cms");
  for (const Signer& s : chain.signers) {
    const signing::PrivateKey key = load_key(s.issued, scratch);
    for (auto padding : {signing::RsaPadding::pss, signing::RsaPadding::pkcs1}) {
      if (padding == signing::RsaPadding::pkcs1 && s.name != "rsa2048") continue;
      signing::SignOptions o;
      o.rsa_padding = padding;
      const Bytes cms = must(signing::cms_sign(content, key, s.issued.certificate_der, o), "cms_sign");
      const std::string name = s.name + (padding == signing::RsaPadding::pkcs1 ? "-pkcs1" : "");
      corpus.add(name + ".p7s", cms);
      if (!s.chain.empty()) {
        std::vector<Bytes> with{s.issued.certificate_der};
        with.insert(with.end(), s.chain.begin(), s.chain.end());
        corpus.add(name + "-with-chain.p7s", must(signing::cms_with_certificates(cms, with), "cms_with_certificates"));
      }
      auto parts = must(signing::cms_parse(cms), "cms_parse");
      corpus.add(name + "-without-certificates.p7s", parts.without_certificates);
      if (s.name == "p256-via-intermediate") write(out / "data" / "cms-content.p7s", cms);
    }
  }
  // Over other content: a digest that does not match.
  const signing::PrivateKey key = load_key(chain.signers[1].issued, scratch);
  corpus.add("other-content.p7s", must(signing::cms_sign(as_bytes("other content"), key,
                                                         chain.signers[1].issued.certificate_der), "cms_sign"));
  corpus.add("truncated.p7s", ByteView(read_bytes(out / "data" / "cms-content.p7s")).first(100));
}

void crl_seeds(const fs::path& out, const Chain& chain, signing::UnixTime now) {
  Corpus corpus(out, "crl");
  const Signer& p256 = chain.signers[0];
  const Signer& p384 = chain.signers[1];
  const Bytes by_root = must(signing::issue_crl(chain.root, {{p384.issued.certificate_der, now - 86400}}, now), "crl");
  const Bytes by_intermediate =
      must(signing::issue_crl(chain.intermediate, {{p256.issued.certificate_der, now - 3600}}, now), "crl");
  const Bytes empty = must(signing::issue_crl(chain.root, {}, now), "crl");
  // Revoked before the signatures of data/ were made (they are made now): verify refuses them.
  const Bytes before = must(signing::issue_crl(chain.intermediate, {{p256.issued.certificate_der, now - 7 * 86400}},
                                               now - 86400), "crl");
  corpus.add("root-revokes-p384.crl", by_root);
  corpus.add("intermediate-revokes-p256.crl", by_intermediate);
  corpus.add("root-empty.crl", empty);
  corpus.add("intermediate-revokes-p256-earlier.crl", before);
  // PEM, as CAs publish them too.
  const fs::path scratch_pem = out / "corpus" / "crl" / "root-revokes-p384.pem";
  run("openssl crl -inform DER -in " + shell_word(out / "corpus" / "crl" / "root-revokes-p384.crl") + " -outform PEM -out " +
      shell_word(scratch_pem));
  corpus.add("not-a-crl.pem", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
}

// Certificates as --trust, --admin and `trust add-tsa` read them (PEM, DER), and a PEM private-key header with no key
// in it, for the attachment scan: from data/, written before.
void certificate_seeds(const fs::path& out, const Chain& chain) {
  Corpus corpus(out, "certificate");
  corpus.add("roots.pem", read_bytes(out / "data" / "roots.pem"));
  corpus.add("tsa.pem", read_bytes(out / "data" / "timestamp-authorities.pem"));
  corpus.add("signer.der", chain.signers[0].issued.certificate_der);
  corpus.add("pem-key-header.pem", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----\n");
}

void pdf_seeds(const fs::path& out, const Chain& chain, const fs::path& fixture, const fs::path& scratch) {
  Corpus pdfs(out, "pdf");
  Corpus records(out, "pdf_signature_record");
  const signing::UnixTime signed_at = signing::now();
  std::vector<std::string> signers;
  for (std::size_t i = 0; i < 2; ++i) {
    const Signer& s = chain.signers[i == 0 ? 0 : 2];  // P-256 through the intermediate; RSA-2048
    const fs::path key = scratch / fmt::format("pdf-{}.key", i), cert = scratch / fmt::format("pdf-{}.crt", i);
    write(key, s.issued.private_key_pem);
    std::vector<Bytes> with{s.issued.certificate_der};
    with.insert(with.end(), s.chain.begin(), s.chain.end());
    write(cert, pem_of(with));
    signers.push_back(" --signer " + shell_word(key) + ":" + shell_word(cert));
  }
  const std::string time = " --signing-time " + signing::format_utc(signed_at);
  const fs::path one = scratch / "one.pdf", two = scratch / "two.pdf", tampered = scratch / "tampered.pdf";
  run(shell_word(fixture) + " " + shell_word(one) + signers[0] + time + " --title 'Quyết định (fuzz seed)' >/dev/null");
  run(shell_word(fixture) + " " + shell_word(two) + signers[0] + signers[1] + time + " >/dev/null");
  run(shell_word(fixture) + " " + shell_word(tampered) + signers[0] + time + " --tamper >/dev/null");
  for (const auto& [name, path] : {std::pair{"one-signature.pdf", one}, {"two-signatures.pdf", two},
                                  {"tampered.pdf", tampered}})
    pdfs.add(name, read_bytes(path));
  pdfs.add("no-signature.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
  pdfs.add("bad-byte-range.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 "
                                 "99999] /Contents <3000> >>\nendobj\n%%EOF\n");

  // What admission records of them (ledger::check_pdf_signatures), and the odd cases of the format.
  signing::Verifier verifier;
  must(verifier.add_root(chain.root.certificate_der), "add_root");
  must(verifier.add_intermediate(chain.intermediate.certificate_der), "add_intermediate");
  for (const auto& [name, path] : {std::pair{"one-signature", one}, {"two-signatures", two}}) {
    const Bytes pdf = read_bytes(path);
    auto verified = must(signing::verify_pdf(pdf, verifier), "verify_pdf");
    std::vector<ledger::PdfSignatureRecord> rs;
    for (const auto& v : verified)
      rs.push_back({v.signature.byte_range, v.signature.sub_filter, v.signature.covers_whole_file, v.verified.signer,
                    v.verified.signing_time, v.verified.algorithm});
    records.add(std::string(name) + ".capnp", ledger::encode_pdf_signatures(rs));
  }
  records.add("none.capnp", ledger::encode_pdf_signatures({}));
}

// Replies of the demo PKI's time-stamp authority (in `pki`, made by tools/demo-pki.sh) to requests for the signature
// data/cms-content.p7s and for another one; the first stamped into the signature is a CMS seed too.
void timestamp_seeds(const fs::path& out, const fs::path& pki, const fs::path& scratch) {
  Corpus corpus(out, "timestamp");
  const Bytes cms = read_bytes(out / "data" / "cms-content.p7s");
  const Bytes other = read_bytes(out / "corpus" / "cms" / "p384.p7s");
  auto reply = [&](const Bytes& signature, const std::string& name) {
    const fs::path query = scratch / (name + ".tsq"), response = scratch / (name + ".tsr");
    write(query, must(signing::timestamp_request(signature), "timestamp_request"));
    run("openssl ts -reply -config " + shell_word(pki / "tsa.cnf") + " -queryfile " + shell_word(query) + " -out " +
        shell_word(response) + " 2>/dev/null");
    return read_bytes(response);
  };
  const Bytes granted = reply(cms, "granted");
  corpus.add("granted.tsr", granted);
  corpus.add("for-another-signature.tsr", reply(other, "other"));
  corpus.add("truncated.tsr", ByteView(granted).first(granted.size() / 2));
  write(out / "corpus" / "cms" / "p256-via-intermediate-stamped.p7s", must(signing::add_timestamp(cms, granted), "add_timestamp"));
  fs::copy_file(pki / "tsa.crt", out / "data" / "timestamp-authorities.pem", fs::copy_options::overwrite_existing);
}

// Entries, bodies, submissions, checkpoints, bundles and the report CSV of the demo ledger in `demo`.
void ledger_seeds(const fs::path& out, const fs::path& demo, const fs::path& scratch) {
  auto ledger = must(ledger::Ledger::open(demo / "ledger"), "open the demo ledger");
  Corpus entries(out, "entry"), bodies(out, "act_body"), acts(out, "act_json"), submissions(out, "submission");
  Corpus checkpoints(out, "checkpoint"), bundles(out, "bundle"), csv(out, "csv");

  const std::uint64_t size = ledger->size();
  for (std::uint64_t seq = 0; seq < size; ++seq) {
    const Bytes bytes = *ledger->entry_bytes(seq);
    const ledger::Entry entry = must(ledger::decode_entry(bytes), "decode_entry");
    const ledger::Act act = must(ledger::decode_body(entry.event.body), "decode_body");
    const std::string name = fmt::format("{:02}-{}", seq, act.act);
    // Every kind once, and a body of each.
    entries.add(name + ".capnp", bytes);
    bodies.add(name + ".capnp", entry.event.body);
    if (seq == 1) write(out / "data" / "cms-content.body", entry.event.body);
  }
  bodies.add("truncated.capnp", ByteView(*ledger->entry_bytes(1)).first(64));

  // The acts as people write them, and signed as `antq sign` signs them.
  const fs::path pki = demo / "pki";
  for (const auto& f : fs::directory_iterator(demo / "acts")) {
    if (f.path().extension() != ".json") continue;
    const std::string name = f.path().filename().string();
    acts.add(name, read_text(f.path()));
    auto input = cli::read_act(f.path());
    if (!input) continue;  // one refers to an attachment by path: still an act seed
    auto submission = cli::unsigned_submission(std::move(*input));
    must(cli::add_signature(submission, ledger::Role::person,
                            {(pki / "chair.key").string(), (pki / "chair.crt").string()}), "sign");
    if (name.find("established") != std::string::npos || name.find("rated") != std::string::npos)
      must(cli::add_signature(submission, ledger::Role::organisation,
                              {(pki / "office.key").string(), (pki / "office.crt").string()}), "sign");
    submissions.add(f.path().stem().string() + ".signed", ledger::encode_submission(submission));
  }
  acts.add("nested-data.json", R"({"act": "model.plan-issued", "subject": "MS-X", "date": "2024-11-05",
 "document": {"number": "1/KH", "title": "K\u1ebf ho\u1ea1ch", "issuer": "UBND"},
 "authority": {"level": "commune", "unit": "UBND"},
 "data": {"year": 2024, "targets": 10, "notes": [[1, 2.5, -3e10, null, true], {"a": {"b": "c"}}]}})");
  acts.add("attachment-by-digest.json", R"({"act": "model.established", "subject": "MS-Y", "date": "2023-03-01",
 "document": {"number": "15/QĐ", "title": "Q", "issuer": "U"}, "authority": {"level": "commune", "unit": "U"},
 "attachments": [{"item": "6", "media_type": "application/pdf", "size": 1234,
   "sha256": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}],
 "data": {"name": "T", "type": "self-managed", "area": "A", "teams": 1, "members": 5}})");
  acts.add("not-nfc.json", "{\"act\": \"survey.reported\", \"subject\": \"S\", \"date\": \"2023-01-20\", \"document\": "
                           "{\"title\": \"Be\xcc\x81\"}, \"data\": {\"findings\": \"x\"}}");
  acts.add("no-such-day.json", R"({"act": "survey.reported", "subject": "S", "date": "2023-02-30", "data": {}})");

  // Checkpoints: the ledger's, with a witness's cosignature, and one opened with a key given in the input.
  const std::string note = ledger->checkpoint();
  write(out / "data" / "operator.vkey", ledger->info().verifier_key + "\n");
  checkpoints.add("ledger.note", note);
  // A signature line as signed-note writes one: "— <name> base64(key id || signature)", the key id as in
  // checkpoint.hpp.
  auto signature_line = [](const std::string& name, const signing::Ed25519Key& key, std::string_view text) {
    const std::uint8_t type = 0x01;
    const auto pub = key.public_key();
    const Digest id = sha256({as_bytes(name), as_bytes("\n"), ByteView(&type, 1), ByteView(pub)});
    Bytes blob(id.begin(), id.begin() + 4);
    const auto sig = must(key.sign(as_bytes(text)), "signature");
    blob.insert(blob.end(), sig.begin(), sig.end());
    return "\xE2\x80\x94 " + name + " " + to_base64(blob) + "\n";
  };
  const std::string body = note.substr(0, note.find("\n\n") + 1);
  const auto witness = must(signing::Ed25519Key::generate(), "key");
  checkpoints.add("witness-cosigned.note", note + signature_line("witness.example/w1", witness, body));
  const auto own = must(signing::Ed25519Key::generate(), "key");
  const std::string vkey = ledger::format_verifier_key("example.org/log", own.public_key()) + "\n";
  const ledger::Checkpoint other{"example.org/log", 42, sha256(as_bytes("a root"))};
  checkpoints.add("with-verifier-key.note", vkey + must(ledger::sign_checkpoint(other, own), "checkpoint"));
  const std::string extended = "example.org/log\n7\n" + to_base64(sha256(as_bytes("root 7"))) + "\nextension line\n";
  checkpoints.add("extension-line.note", vkey + extended + "\n" + signature_line("example.org/log", own, extended));
  checkpoints.add("unsigned.note", body + "\n");

  // Bundles: the whole ledger, and one subject's entries with their proofs.
  const fs::path full = scratch / "bundle", subject = scratch / "subject-bundle";
  must(ledger::export_bundle(*ledger, full, {}), "export");
  ledger::ExportOptions by_subject;
  by_subject.subject = "MS-TL-TDCTQ";
  must(ledger::export_bundle(*ledger, subject, by_subject), "export --subject");
  const fs::path fixed = out / "data" / "bundle";
  fs::remove_all(fixed);
  fs::copy(full, fixed, fs::copy_options::recursive);
  for (const char* input : {"checkpoint", "entries.bin"}) fs::remove(fixed / input);
  const std::string sep(kBundleSeparator);
  bundles.add("whole-ledger", read_text(full / "checkpoint") + sep + read_text(full / "entries.bin"));
  bundles.add("subject", read_text(subject / "checkpoint") + sep + read_text(subject / "entries.bin") + sep +
                             read_text(subject / "proofs.json"));
  bundles.add("no-entries", read_text(full / "checkpoint") + sep);

  // The report as a district sends it (antq report --format csv), and the odd but valid CSV forms.
  const std::string today = "2025-06-01";
  for (const char* period : {"2024", "2024-H1"}) {
    auto report = must(projections::periodic_report(*ledger, period, "", std::nullopt, today), "report");
    std::string text = cli::csv_record({"section", "key", "value"});
    for (const auto& f : projections::report_figures(report)) text += cli::csv_record({f.section, f.key, f.value});
    csv.add(std::string("report-") + period + ".csv", text);
  }
  csv.add("quoted.csv", "section,key,value\nreport,period,2024\nreport,as_of,2024-11-14\n"
                        "points,\"Tổ \"\"tự quản\"\", thôn A\",3\r\n\r\nteams,\"line\nbreak\",1");
  csv.add("lf-only.csv", "section,key,value\nreport,period,2025-H1\nreport,as_of,2025-04-30\nreport,at,3\n");
}

int main(int argc, char** argv) {
  std::string antq, fixture, demo_pki, out_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--antq" && i + 1 < argc) antq = argv[++i];
    else if (a == "--pdf-fixture" && i + 1 < argc) fixture = argv[++i];
    else if (a == "--demo-pki" && i + 1 < argc) demo_pki = argv[++i];
    else if (!a.starts_with("-") && out_dir.empty()) out_dir = a;
    else die("usage: antq-fuzz-seeds --antq PATH --pdf-fixture PATH --demo-pki PATH OUT_DIR (tests/fuzz/)");
  }
  if (antq.empty() || fixture.empty() || demo_pki.empty() || out_dir.empty())
    die("usage: antq-fuzz-seeds --antq PATH --pdf-fixture PATH --demo-pki PATH OUT_DIR (tests/fuzz/)");
  const fs::path out = out_dir;
  std::string tmpl = (fs::temp_directory_path() / "antq-fuzz-seeds-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) die("cannot make a temporary directory");
  const fs::path scratch = tmpl;

  const fs::path demo = scratch / "demo";
  run(shell_word(antq) + " demo --commune-only " + shell_word(demo) + " >/dev/null");
  fs::create_directories(out / "data");
  ledger_seeds(out, demo, scratch);
  // data.mdb as `antq backup` writes it (compacted) and as a new ledger starts (named .data: git ignores *.mdb).
  Corpus lmdb(out, "lmdb");
  run(shell_word(antq) + " backup " + shell_word(demo / "ledger") + " " + shell_word(scratch / "backup") + " >/dev/null");
  lmdb.add("demo-ledger-backup.data", read_bytes(scratch / "backup" / "data.mdb"));
  run(shell_word(antq) + " init " + shell_word(scratch / "new") + " --profile hoa-binh-2023 --trust " +
      shell_word(demo / "pki" / "roots.pem") + " --admin " + shell_word(demo / "pki" / "admin.crt") + " >/dev/null");
  lmdb.add("new-ledger.data", read_bytes(scratch / "new" / "data.mdb"));

  const signing::UnixTime now = signing::now();
  const Chain chain = make_chain(now);
  write(out / "data" / "roots.pem", signing::certificate_to_pem(chain.root.certificate_der));
  write(out / "data" / "intermediates.pem", signing::certificate_to_pem(chain.intermediate.certificate_der));
  std::vector<Bytes> signers;
  for (const Signer& s : chain.signers) signers.push_back(s.issued.certificate_der);
  write(out / "data" / "signers.pem", pem_of(signers));
  cms_seeds(out, chain, read_bytes(out / "data" / "cms-content.body"), scratch);
  crl_seeds(out, chain, now);
  pdf_seeds(out, chain, fixture, scratch);
  run(shell_word(demo_pki) + " " + shell_word(scratch / "tsa-pki") + " >/dev/null");
  timestamp_seeds(out, scratch / "tsa-pki", scratch);
  certificate_seeds(out, chain);

  fs::remove_all(scratch);  // the keys of the demo, the chain and the authority with it
  std::cout << "antq-fuzz-seeds: wrote " << (out / "data").string() << " and " << (out / "corpus").string() << "\n";
  return 0;
}

}  // namespace
}  // namespace antq::fuzz_seeds

int main(int argc, char** argv) { return antq::fuzz_seeds::main(argc, argv); }
