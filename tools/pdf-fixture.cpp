// antq-pdf-fixture: makes small PDFs carrying PAdES-style signatures (/SubFilter /adbe.pkcs7.detached), for tests.
//
//   antq-pdf-fixture OUT.pdf --signer KEY:CERT [--signer KEY:CERT ...] [--signing-time ISO8601] [--title TEXT]
//                    [--timestamp-command CMD] [--tamper]
//
// The document is a PDF 1.7 of one page (a line of text in Helvetica) whose Catalog has an AcroForm with
// /SigFlags 3. Each --signer adds one signature field (an invisible widget on the page, /Rect [0 0 0 0]) whose /V is
// a signature dictionary: /ByteRange covers the whole file as it stands after that signature except the /Contents
// hex string, which holds a CMS detached SignedData (signing::cms_sign: SHA-256, signingTime, the signer
// certificate) over the two covered ranges. The first signature is in the original file; each later one is an
// incremental update (new field and signature dictionary, AcroForm and page rewritten, an xref section with /Prev),
// so every earlier signature still covers its own prefix of the file and the last one covers all of it. Poppler's
// `pdfsig` reports such a file as signed, and every signature as valid. --tamper then changes one letter of the
// page's text, inside the bytes every signature covers, so that every digest fails. --timestamp-command gives each
// signature an RFC 3161 token (id-aa-signatureTimeStampToken): CMD, run by /bin/sh, reads the time-stamp request on
// its standard input and writes the authority's reply on its standard output (`openssl ts -reply ...`).
//
// For tests and demos only: sign with test keys (tools/demo-pki.sh), never with a real person's or unit's key.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <iterator>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "signing/signing.hpp"

namespace antq::pdf_fixture {
namespace {

constexpr int kOk = 0;
constexpr int kBadInput = 2;

// Room for the CMS: 8 KiB of DER holds an RSA-4096 signature with a chain of a few certificates. Fixed, because the
// signed bytes are laid out before the signature exists.
constexpr std::size_t kContentsHexDigits = 16384;
// "[0 a b c]" with each of a, b, c up to 10 digits, padded with spaces: also fixed, for the same reason.
constexpr std::size_t kByteRangeWidth = 36;

// Object numbers of the first revision. Signature k (from 0) has its field at kFirstField + 2k and its signature
// dictionary right after, so later revisions only ever add objects at the end.
constexpr int kCatalog = 1, kPages = 2, kPage = 3, kFont = 4, kText = 5, kInfo = 6, kAcroForm = 7, kFirstField = 8;

int field_object(std::size_t k) { return kFirstField + 2 * static_cast<int>(k); }
int signature_object(std::size_t k) { return field_object(k) + 1; }

struct Signer {
  std::string key_spec, cert_path;
  signing::PrivateKey key;
  std::vector<Bytes> certificates;  // the signer's first; the others travel in the CMS
  std::string name;                 // the certificate's CN, for /Name
};

// The CN of an RFC 2253 name ("CN=Chủ tịch UBND xã (demo),O=...,C=VN"), unescaped; the whole name when it has none.
std::string common_name(std::string_view subject) {
  for (std::size_t i = 0; i < subject.size();) {
    std::string value;
    const bool is_cn = subject.substr(i, 3) == "CN=";
    std::size_t j = i + (is_cn ? 3 : 0);
    for (; j < subject.size() && subject[j] != ','; ++j) {
      if (subject[j] == '\\' && j + 1 < subject.size()) ++j;
      value += subject[j];
    }
    if (is_cn) return value;
    i = j + 1;
  }
  return std::string(subject);
}

// Code points of UTF-8 text; a malformed sequence reads as U+FFFD (the names and titles here come from our own
// certificates and command lines, so this only has to be safe, not clever).
std::vector<char32_t> code_points(std::string_view utf8) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    const int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= utf8.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = extra == 0 ? b : b & (0x3F >> extra);
    bool ok = true;
    for (int n = 1; n <= extra; ++n) {
      const auto c = static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(n)]);
      if ((c & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    out.push_back(ok && cp <= 0x10FFFF ? cp : 0xFFFD);
    i += ok ? static_cast<std::size_t>(extra) + 1 : 1;
  }
  return out;
}

// A PDF literal string: "(", ")" and "\" escaped; anything outside printable ASCII as "?". With `win_ansi`, for text
// shown in the WinAnsiEncoding font, Latin-1 letters stay too (WinAnsi agrees with Latin-1 from 0xA0 up), so that
// a Vietnamese title keeps its "à", "ô", "ì" at least.
std::string literal(std::string_view text, bool win_ansi = false) {
  std::string out = "(";
  for (char32_t cp : code_points(text)) {
    if (cp == '(' || cp == ')' || cp == '\\') out += '\\';
    const bool shown = (cp >= 0x20 && cp < 0x7F) || (win_ansi && cp >= 0xA0 && cp <= 0xFF);
    out += shown ? static_cast<char>(cp) : '?';
  }
  return out + ")";
}

// A PDF text string (ISO 32000-1 §7.9.2.2): a literal when the text is printable ASCII, else UTF-16BE with a byte
// order mark as a hex string, so that Vietnamese names show as written.
std::string text_string(std::string_view utf8) {
  const auto cps = code_points(utf8);
  if (std::all_of(cps.begin(), cps.end(), [](char32_t c) { return c >= 0x20 && c < 0x7F; })) return literal(utf8);
  std::string out = "<FEFF";
  for (char32_t cp : cps) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += fmt::format("{:04X}{:04X}", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      out += fmt::format("{:04X}", static_cast<unsigned>(cp));
    }
  }
  return out + ">";
}

// "D:20230307143057+07'00'" (ISO 32000-1 §7.9.4), in Vietnam time.
std::string pdf_date(signing::UnixTime t) {
  const std::string iso = signing::format_vietnam_time(t);  // 2023-03-07T14:30:57+07:00
  return fmt::format("D:{}{}{}{}{}{}+07'00'", iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2), iso.substr(11, 2),
                     iso.substr(14, 2), iso.substr(17, 2));
}

std::string refs(int first, std::size_t count, int step) {
  std::string out = "[";
  for (std::size_t k = 0; k < count; ++k)
    out += fmt::format("{}{} 0 R", k ? " " : "", first + step * static_cast<int>(k));
  return out + "]";
}

// A document being written one revision at a time: the bytes so far, and where each object of the current revision
// starts (for its xref section).
class Document {
 public:
  explicit Document(std::string header) : bytes_(std::move(header)) {}

  // Appends "N 0 obj\n<body>\nendobj\n"; returns the offset of the body in the file.
  std::size_t object(int number, std::string_view body) {
    revision_[number] = bytes_.size();
    bytes_ += fmt::format("{} 0 obj\n", number);
    const std::size_t at = bytes_.size();
    bytes_ += body;
    bytes_ += "\nendobj\n";
    return at;
  }

  // Ends the revision: its xref section (one subsection per run of consecutive object numbers; the first revision
  // also lists the free object 0), the trailer and startxref. `trailer` is the inside of the trailer dictionary.
  void end_revision(bool first, const std::string& trailer) {
    const std::size_t xref = bytes_.size();
    bytes_ += "xref\n";
    std::map<int, std::size_t> entries = std::move(revision_);
    revision_.clear();
    if (first) bytes_ += "0 1\n0000000000 65535 f\r\n";
    for (auto it = entries.begin(); it != entries.end();) {
      auto run_end = it;
      int next = it->first;
      while (run_end != entries.end() && run_end->first == next) ++run_end, ++next;
      bytes_ += fmt::format("{} {}\n", it->first, next - it->first);
      for (; it != run_end; ++it) bytes_ += fmt::format("{:010} 00000 n\r\n", it->second);  // 20 bytes each
    }
    bytes_ += fmt::format("trailer\n<< {}", trailer);
    if (previous_xref_) bytes_ += fmt::format(" /Prev {}", *previous_xref_);
    bytes_ += fmt::format(" >>\nstartxref\n{}\n%%EOF\n", xref);
    previous_xref_ = xref;
  }

  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
  std::map<int, std::size_t> revision_;
  std::optional<std::size_t> previous_xref_;
};

// Where a signature dictionary's placeholders are: the '[' of /ByteRange and the '<' of /Contents.
struct Placeholder {
  std::size_t byte_range = 0, contents = 0;
};

// Appends the signature dictionary with blank /ByteRange and /Contents, to be filled in by sign().
Placeholder signature_dictionary(Document& doc, int number, const Signer& signer, signing::UnixTime time) {
  const std::string head = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange ";
  const std::string body = head + std::string(kByteRangeWidth, ' ') + " /Contents <" +
                           std::string(kContentsHexDigits, '0') + "> /M (" + pdf_date(time) + ") /Name " +
                           text_string(signer.name) + " >>";
  const std::size_t at = doc.object(number, body);
  return {at + head.size(), at + head.size() + kByteRangeWidth + std::string_view(" /Contents ").size()};
}

// Fills in the placeholders of a revision that ends the document as it stands: ByteRange = everything but the
// /Contents hex string (its angle brackets included), then the CMS over those bytes into /Contents.
// The CMS with a time-stamp token that `command` (the request on its stdin, the reply on its stdout) obtained.
Result<Bytes> with_timestamp(const Bytes& cms, const std::string& command) {
  auto request = signing::timestamp_request(cms);
  if (!request) return std::unexpected(request.error());
  char dir_template[] = "/tmp/antq-pdf-fixture-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return io_error("cannot make a temporary directory");
  const std::string dir = dir_template, query = dir + "/request.tsq", reply = dir + "/reply.tsr";
  std::ofstream(query, std::ios::binary)
      .write(reinterpret_cast<const char*>(request->data()), static_cast<std::streamsize>(request->size()));
  const int status = std::system(("(" + command + ") < '" + query + "' > '" + reply + "'").c_str());
  std::ifstream in(reply, std::ios::binary);
  const std::string response((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(query.c_str());
  std::remove(reply.c_str());
  ::rmdir(dir.c_str());
  if (status != 0) return bad_input(fmt::format("--timestamp-command failed (status {}): {}", status, command));
  return signing::add_timestamp(cms, as_bytes(response));
}

Status sign(std::string& pdf, const Placeholder& p, const Signer& signer, signing::UnixTime time,
            const std::string& timestamp_command) {
  const std::size_t after = p.contents + kContentsHexDigits + 2;
  std::string range = fmt::format("[0 {} {} {}]", p.contents, after, pdf.size() - after);
  if (range.size() > kByteRangeWidth) return bad_input("the document is too large for its /ByteRange placeholder");
  range.resize(kByteRangeWidth, ' ');
  pdf.replace(p.byte_range, kByteRangeWidth, range);

  const std::string covered = pdf.substr(0, p.contents) + pdf.substr(after);
  auto cms = signing::cms_sign(as_bytes(covered), signer.key, signer.certificates.front(),
                               signing::SignOptions{.signing_time = time});
  if (!cms) return std::unexpected(cms.error());
  // Further certificates of the file (intermediates) travel in the CMS, so that a reader can build the chain.
  if (signer.certificates.size() > 1) {
    auto with = signing::cms_with_certificates(*cms, {signer.certificates.begin() + 1, signer.certificates.end()});
    if (!with) return std::unexpected(with.error());
    cms = std::move(with);
  }
  if (!timestamp_command.empty()) {
    auto stamped = with_timestamp(*cms, timestamp_command);
    if (!stamped) return std::unexpected(stamped.error());
    cms = std::move(stamped);
  }
  const std::string hex = to_hex(*cms);
  if (hex.size() > kContentsHexDigits)
    return bad_input(fmt::format("{}: the signature ({} bytes) does not fit in /Contents ({} bytes)", signer.cert_path,
                                 cms->size(), kContentsHexDigits / 2));
  // The zeros after it stay: readers take the length from the DER itself and ignore the padding.
  pdf.replace(p.contents + 1, hex.size(), hex);
  return {};
}

Result<Signer> load_signer(const std::string& spec) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return bad_input(fmt::format("signer \"{}\": expected KEY:CERT (key file, a colon, certificate file)", spec));
  std::string key_spec = spec.substr(0, colon), cert_path = spec.substr(colon + 1);
  auto certs = signing::read_certificates(cert_path);
  if (!certs) return std::unexpected(certs.error());
  auto key = signing::PrivateKey::load(key_spec);
  if (!key) return std::unexpected(key.error());
  auto info = signing::inspect_certificate(certs->front());
  if (!info) return std::unexpected(info.error());
  return Signer{std::move(key_spec), std::move(cert_path), std::move(*key), std::move(*certs),
                common_name(info->subject)};
}

struct Options {
  std::string out;
  std::vector<std::string> signers;
  std::string signing_time;
  std::string title = "antq-ledger PDF signature fixture";
  std::string timestamp_command;
  bool tamper = false;
};

// The line --tamper changes: the "T" of "Test" becomes "t", inside the page's text stream.
constexpr std::string_view kFixtureLine = "Test fixture: signed with test keys only, not a real document.";

Status run(const Options& o) {
  std::vector<Signer> signers;
  for (const auto& spec : o.signers) {
    auto s = load_signer(spec);
    if (!s) return std::unexpected(s.error());
    signers.push_back(std::move(*s));
  }
  // Every signature (and /M, /CreationDate) states this one time: fixtures are about validity, not order.
  signing::UnixTime time = signing::now();
  if (!o.signing_time.empty()) {
    auto t = signing::parse_time(o.signing_time);
    if (!t)
      return bad_input(
          fmt::format("--signing-time \"{}\": expected ISO 8601, e.g. 2026-01-02T09:30:00+07:00", o.signing_time));
    time = *t;
  }

  // The binary comment after the header tells transfer programs that the file is binary (ISO 32000-1 §7.5.2).
  Document doc("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
  const std::string text = "BT\n/F1 18 Tf\n72 770 Td\n" + literal(o.title, true) + " Tj\n/F1 11 Tf\n0 -28 Td\n" +
                           literal(kFixtureLine) + " Tj\nET";
  const Digest id = sha256(as_bytes("antq-pdf-fixture\n" + o.title + "\n" + pdf_date(time)));
  const std::string id_hex = to_hex(ByteView(id).first(16));
  const std::string trailer_common =
      fmt::format("/Root {} 0 R /Info {} 0 R /ID [<{}> <{}>]", kCatalog, kInfo, id_hex, id_hex);

  doc.object(kCatalog, fmt::format("<< /Type /Catalog /Pages {} 0 R /AcroForm {} 0 R >>", kPages, kAcroForm));
  doc.object(kPages, fmt::format("<< /Type /Pages /Kids [{} 0 R] /Count 1 >>", kPage));
  auto page = [&](std::size_t signatures) {
    return fmt::format(
        "<< /Type /Page /Parent {} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {} 0 R >> >> "
        "/Contents {} 0 R /Annots {} >>",
        kPages, kFont, kText, refs(kFirstField, signatures, 2));
  };
  auto acroform = [&](std::size_t signatures) {
    return fmt::format("<< /Fields {} /SigFlags 3 >>", refs(kFirstField, signatures, 2));
  };
  auto field = [&](std::size_t k) {
    // Print (4) + Locked (128): an invisible field that nobody is meant to edit.
    return fmt::format(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature{}) /F 132 /Rect [0 0 0 0] /P {} 0 R "
        "/V {} 0 R >>",
        k + 1, kPage, signature_object(k));
  };
  doc.object(kPage, page(1));
  doc.object(kFont, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  const std::size_t text_at =
      doc.object(kText, fmt::format("<< /Length {} >>\nstream\n", text.size()) + text + "\nendstream");
  doc.object(kInfo, fmt::format("<< /Title {} /Producer (antq-pdf-fixture, test keys only) /CreationDate ({}) >>",
                                text_string(o.title), pdf_date(time)));
  doc.object(kAcroForm, acroform(1));
  doc.object(field_object(0), field(0));
  Placeholder p = signature_dictionary(doc, signature_object(0), signers[0], time);
  doc.end_revision(true, fmt::format("/Size {} ", signature_object(0) + 1) + trailer_common);
  if (auto s = sign(doc.bytes(), p, signers[0], time, o.timestamp_command); !s) return s;

  for (std::size_t k = 1; k < signers.size(); ++k) {
    // The AcroForm and the page are rewritten to list the new field; everything else stays as it was.
    doc.object(kPage, page(k + 1));
    doc.object(kAcroForm, acroform(k + 1));
    doc.object(field_object(k), field(k));
    p = signature_dictionary(doc, signature_object(k), signers[k], time);
    doc.end_revision(false, fmt::format("/Size {} ", signature_object(k) + 1) + trailer_common);
    if (auto s = sign(doc.bytes(), p, signers[k], time, o.timestamp_command); !s) return s;
  }

  std::string& pdf = doc.bytes();
  if (o.tamper) {
    const std::size_t at = pdf.find(kFixtureLine, text_at);
    if (at == std::string::npos) return bad_input("internal: the page text to tamper with is missing");
    pdf[at] = 't';
  }

  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  if (!out) return io_error(fmt::format("{}: cannot be written", o.out));
  out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  out.close();
  if (!out) return io_error(fmt::format("{}: cannot be written (disk full?)", o.out));
  return {};
}

}  // namespace
}  // namespace antq::pdf_fixture

int main(int argc, char** argv) {
  using namespace antq::pdf_fixture;
  Options o;
  CLI::App app{
      "antq-pdf-fixture: writes a one-page PDF signed with PAdES-style signatures (adbe.pkcs7.detached),\n"
      "for tests. TEST KEYS ONLY.",
      "antq-pdf-fixture"};
  app.footer(
      "The first --signer signs the original file; each further one signs an incremental update, so every\n"
      "signature stays valid and the last covers the whole file. Check with `pdfsig OUT.pdf`.\n"
      "  antq-pdf-fixture two.pdf --signer pki/commune-person.key:pki/commune-person.crt \\\n"
      "                           --signer pki/commune-organisation.key:pki/commune-organisation.crt");
  app.add_option("OUT", o.out, "The PDF to write")->required();
  app.add_option("--signer", o.signers, "KEY:CERT: a private key (PEM) and its certificate (PEM); repeat to sign again")
      ->required();
  app.add_option("--signing-time", o.signing_time, "Signing time to state (ISO 8601; default: now)");
  app.add_option("--title", o.title, "The line of text on the page (beyond Latin-1 shows as '?'; /Title keeps it all)");
  app.add_option("--timestamp-command", o.timestamp_command,
                 "Time-stamp each signature: CMD reads an RFC 3161 request on stdin and writes the reply on stdout\n"
                 "(e.g. 'openssl ts -reply -config tsa.cnf -queryfile /dev/stdin')");
  app.add_flag("--tamper", o.tamper, "After signing, change a letter of the page's text: every signature fails");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "antq-pdf-fixture: %s (see --help)\n", e.what());
    return kBadInput;
  }
  try {
    auto s = run(o);
    if (!s) {
      std::fprintf(stderr, "antq-pdf-fixture: %s\n", s.error().line().c_str());
      return kBadInput;
    }
    return kOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "antq-pdf-fixture: internal error: %s\n", e.what());
    return kBadInput;
  }
}
