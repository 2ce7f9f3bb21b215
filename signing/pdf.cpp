// Signatures inside PDF documents (ISO 32000-1 §12.8; PAdES, ETSI EN 319 142-1): each signature dictionary names
// the bytes it covers with /ByteRange [a b c d] — the whole file but for the gap [a+b, c) that holds its own
// /Contents, a hex string of a DER CMS SignedData, zero-padded. The covered bytes are the detached content.
//
// No general PDF parser is needed: the ByteRange says where everything is, and the checks below hold whatever
// else the file contains. A signed PDF revised later (an incremental update) keeps its earlier signatures over
// their prefix of the file; such a signature does not cover the whole file, and the result says so.
#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "signing/der.hpp"
#include "signing/signing.hpp"

namespace antq::signing {

namespace {

bool is_pdf_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }

// The four non-negative integers of "[a b c d]" at the start of `s` (after blanks); nullopt otherwise.
std::optional<std::array<std::uint64_t, 4>> parse_byte_range(std::string_view s) {
  std::size_t i = 0;
  auto skip = [&] { while (i < s.size() && is_pdf_space(s[i])) ++i; };
  skip();
  if (i >= s.size() || s[i] != '[') return std::nullopt;
  ++i;
  std::array<std::uint64_t, 4> out{};
  for (auto& n : out) {
    skip();
    auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), n);
    if (ec != std::errc() || end == s.data() + i) return std::nullopt;
    i = static_cast<std::size_t>(end - s.data());
  }
  skip();
  if (i >= s.size() || s[i] != ']') return std::nullopt;
  return out;
}

// The /SubFilter name of the object around each /ByteRange, for /ByteRanges met in file order: the first
// "/SubFilter /Name" between the nearest " obj" before the /ByteRange and the nearest "endobj" after it, or "" when
// there is none. (A /Contents hex string holds no "/".) Each search starts where an earlier one left off, for
// objects and /ByteRanges come in file order: the scan is linear in the size of the file, however many /ByteRanges
// one object holds.
class SubFilters {
 public:
  explicit SubFilters(std::string_view pdf) : pdf_(pdf) {}

  std::string_view near(std::size_t at) {
    constexpr std::size_t npos = std::string_view::npos;
    // The object's start: a " obj" after the previous /ByteRange (which " obj" cannot overlap), else as before.
    if (std::size_t found = pdf_.substr(searched_to_, at - searched_to_).rfind(" obj"); found != npos)
      begin_ = searched_to_ + found;
    searched_to_ = at;
    // Its end: the previous /ByteRange's when that lies beyond this one, else the next "endobj".
    if (!started_ || at >= end_) {
      const std::size_t found = pdf_.find("endobj", at);
      end_ = found == npos ? pdf_.size() : found;
    }
    // The first "/SubFilter" at or after the start: the one found before unless the start has moved past it.
    if (!started_ || (sub_filter_ != npos && sub_filter_ < begin_)) {
      sub_filter_ = pdf_.find("/SubFilter", begin_);
      if (sub_filter_ != npos) {
        std::size_t k = sub_filter_ + 10;
        while (k < pdf_.size() && is_pdf_space(pdf_[k])) ++k;
        name_begin_ = k;
        name_end_ = k < pdf_.size() && pdf_[k] == '/' ? pdf_.find_first_of(" \n\r\t\f/<>[]()", k + 1) : k;
        if (name_end_ == npos) name_end_ = pdf_.size();
      }
    }
    started_ = true;
    if (sub_filter_ == npos || name_begin_ >= end_ || name_end_ == name_begin_) return {};
    return pdf_.substr(name_begin_ + 1, std::min(name_end_, end_) - name_begin_ - 1);
  }

 private:
  std::string_view pdf_;
  bool started_ = false;  // end_ and sub_filter_ are set
  std::size_t searched_to_ = 0, begin_ = 0, end_ = 0;
  std::size_t sub_filter_ = 0;                 // npos: none at or after begin_
  std::size_t name_begin_ = 0, name_end_ = 0;  // of the "/Name" after sub_filter_ (empty: no name there)
};

}  // namespace

Result<std::vector<PdfSignature>> pdf_signatures(ByteView pdf) {
  std::vector<PdfSignature> out;
  const std::string_view s = as_chars(pdf);
  if (!s.starts_with("%PDF-")) return out;
  SubFilters sub_filters(s);
  std::map<std::array<std::uint64_t, 4>, std::size_t> by_range;  // the first dictionary with each /ByteRange
  for (std::size_t at = s.find("/ByteRange"); at != std::string_view::npos; at = s.find("/ByteRange", at + 1)) {
    const std::size_t number = out.size() + 1;
    auto what = [&](const std::string& why) {
      return bad_input(
          i18n::Text("PDF signature {} (/ByteRange at byte {}): {}", std::to_string(number), std::to_string(at), why));
    };
    if (number > kMaxPdfSignatures)
      return bad_input(i18n::Text("the PDF has more than {} signature dictionaries (/ByteRange), the limit",
                                  std::to_string(kMaxPdfSignatures)));
    auto range = parse_byte_range(s.substr(at + 10, 200));
    if (!range) return what("not an array of four integers");
    auto [a, b, c, d] = *range;
    if (a != 0) return what("the covered bytes do not start at the beginning of the file");
    if (b >= c || c > s.size() || d > s.size() - c) return what("the ranges do not lie inside the file in order");
    std::string sub_filter(sub_filters.near(at));
    if (sub_filter != "adbe.pkcs7.detached" && sub_filter != "ETSI.CAdES.detached")
      return what(sub_filter.empty() ? std::string("no /SubFilter")
                                     : "/SubFilter /" + sub_filter +
                                           " (only adbe.pkcs7.detached and ETSI.CAdES.detached are accepted)");
    PdfSignature sig;
    sig.byte_range = *range;
    sig.sub_filter = std::move(sub_filter);
    sig.covers_whole_file = c + d == s.size();
    // The same /ByteRange leaves the same gap, so it holds the same CMS: decoded once.
    if (auto same = by_range.find(*range); same != by_range.end()) {
      sig.cms = out[same->second].cms;
      out.push_back(std::move(sig));
      continue;
    }
    // The gap is exactly the /Contents hex string: "<", hex digits, ">".
    std::string_view gap = s.substr(b, c - b);
    if (gap.size() < 2 || gap.front() != '<' || gap.back() != '>')
      return what("the bytes left uncovered are not the signature's hex string");
    gap = gap.substr(1, gap.size() - 2);
    if (gap.size() % 2 != 0) return what("the signature's hex string has an odd number of digits");
    if (gap.size() / 2 > kMaxPdfContentsBytes)
      return what("/Contents holds " + std::to_string(gap.size() / 2) + " bytes, more than the limit of " +
                  std::to_string(kMaxPdfContentsBytes >> 20) + " MiB");
    std::optional<Bytes> decoded = from_hex(gap);
    if (!decoded) return what("the signature's hex string holds a character that is not a hex digit");
    Bytes contents = std::move(*decoded);
    // The DER is followed by zero padding up to the reserved size.
    DerReader reader(contents);
    auto element = reader.next(kDerSequence);
    if (!element) return what("/Contents does not hold a DER CMS");
    std::size_t used = element->whole.size();
    if (!std::all_of(contents.begin() + static_cast<std::ptrdiff_t>(used), contents.end(),
                     [](std::uint8_t x) { return x == 0; }))
      return what("/Contents holds bytes after the CMS that are not padding");
    contents.resize(used);
    sig.cms = std::move(contents);
    by_range.emplace(*range, out.size());
    out.push_back(std::move(sig));
  }
  return out;
}

Bytes pdf_covered_bytes(ByteView pdf, const PdfSignature& signature) {
  auto [a, b, c, d] = signature.byte_range;
  Bytes covered(pdf.begin() + static_cast<std::ptrdiff_t>(a), pdf.begin() + static_cast<std::ptrdiff_t>(a + b));
  covered.insert(covered.end(), pdf.begin() + static_cast<std::ptrdiff_t>(c),
                 pdf.begin() + static_cast<std::ptrdiff_t>(c + d));
  return covered;
}

Result<std::vector<VerifiedPdfSignature>> verify_pdf(ByteView pdf, const Verifier& verifier,
                                                     const AuthorityFilter& counted) {
  auto found = pdf_signatures(pdf);
  if (!found) return std::unexpected(found.error());
  std::vector<VerifiedPdfSignature> out;
  // (byte range, CMS) of each signature verified, and where in `out` its result is.
  std::map<std::pair<std::array<std::uint64_t, 4>, Digest>, std::size_t> verified;
  for (std::size_t i = 0; i < found->size(); ++i) {
    PdfSignature& sig = (*found)[i];
    const auto key = std::pair{sig.byte_range, sha256(sig.cms)};
    if (auto same = verified.find(key); same != verified.end()) {
      const VerifiedPdfSignature& first = out[same->second];
      out.push_back({std::move(sig), first.verified, first.signer_certificate, first.certificates});
      continue;
    }
    auto fail = [&](const Error& e) {
      return std::unexpected(reworded(e, i18n::Text("PDF signature {}: {}", i + 1, text_of(e))));
    };
    auto parts = cms_parse(sig.cms);
    if (!parts) return fail(parts.error());
    if (!parts->signer)
      return fail(refused("signature", i18n::Text("the CMS does not carry its signer's certificate")).error());
    auto signer = std::find_if(parts->certificates.begin(), parts->certificates.end(),
                               [&](const Bytes& der) { return sha256(der) == *parts->signer; });
    auto v = verifier.verify(pdf_covered_bytes(pdf, sig), sig.cms, *signer, parts->certificates,
                             Verifier::CmsForm::document, counted);
    if (!v) return fail(v.error());
    verified.emplace(key, out.size());
    out.push_back({std::move(sig), std::move(*v), *signer, std::move(parts->certificates)});
  }
  return out;
}

}  // namespace antq::signing
