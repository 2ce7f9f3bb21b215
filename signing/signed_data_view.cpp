#include "signing/signed_data_view.hpp"

#include <algorithm>
#include <utility>

namespace antq::signing {

namespace {

// Attribute types (RFC 5652 §11, RFC 5035, RFC 8551), as OID contents.
constexpr std::uint8_t kContentType[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03};
constexpr std::uint8_t kMessageDigest[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04};
constexpr std::uint8_t kSigningTime[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05};
constexpr std::uint8_t kSmimeCapabilities[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0f};
constexpr std::uint8_t kSigningCertificate[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c};
constexpr std::uint8_t kSigningCertificateV2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f};

bool same(ByteView a, std::span<const std::uint8_t> b) { return std::ranges::equal(a, b); }

bool digits(ByteView s, std::size_t at, std::size_t n, int& value) {
  value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = s[at + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// UTCTime YYMMDDHHMMSSZ (RFC 5280: YY < 50 is 20YY) or GeneralizedTime YYYYMMDDHHMMSSZ; nothing else.
std::optional<UnixTime> parse_asn1_time(const DerElement& e) {
  std::size_t year_digits = e.tag == kDerUtcTime ? 2 : e.tag == kDerGeneralizedTime ? 4 : 0;
  ByteView s = e.content;
  if (year_digits == 0 || s.size() != year_digits + 11 || s.back() != 'Z') return std::nullopt;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::size_t at = year_digits;
  if (!digits(s, 0, year_digits, year) || !digits(s, at, 2, month) || !digits(s, at + 2, 2, day) ||
      !digits(s, at + 4, 2, hour) || !digits(s, at + 6, 2, minute) || !digits(s, at + 8, 2, second))
    return std::nullopt;
  if (year_digits == 2) year += year < 50 ? 2000 : 1900;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
         minute * 60 + second;
}

// AlgorithmIdentifier { OID, NULL or nothing }: the OID content.
std::optional<ByteView> digest_algorithm(const DerElement& e) {
  DerReader r(e.content);
  auto oid = r.next(kDerOid);
  if (!oid) return std::nullopt;
  if (auto null = r.next(kDerNull); null && !null->content.empty()) return std::nullopt;
  if (!r.at_end()) return std::nullopt;
  return oid->content;
}

bool parse_attributes(ByteView content, SignedDataView& view) {
  DerReader attrs(content);
  ByteView previous;
  bool has_content_type = false, has_time = false, has_digest = false, has_caps = false;
  while (auto attr = attrs.next(kDerSequence)) {
    // DER orders SET OF by encoding; equal encodings would be a duplicate.
    if (!previous.empty() && !std::ranges::lexicographical_compare(previous, attr->whole)) return false;
    previous = attr->whole;
    DerReader in_attr(attr->content);
    auto type = in_attr.next(kDerOid);
    auto values = in_attr.next(kDerSet);
    if (!type || !values || !in_attr.at_end()) return false;
    DerReader in_values(values->content);
    auto value = in_values.next();
    if (!value || !in_values.at_end()) return false;  // exactly one value
    bool duplicate = false;
    if (same(type->content, kContentType)) {
      if (value->tag != kDerOid || !same(value->content, oid::kData)) return false;
      duplicate = std::exchange(has_content_type, true);
    } else if (same(type->content, kSigningTime)) {
      auto t = parse_asn1_time(*value);
      if (!t) return false;
      view.signing_time = *t;
      duplicate = std::exchange(has_time, true);
    } else if (same(type->content, kMessageDigest)) {
      if (value->tag != kDerOctetString) return false;
      view.message_digest = value->content;
      duplicate = std::exchange(has_digest, true);
    } else if (same(type->content, kSigningCertificate)) {
      if (value->tag != kDerSequence) return false;
      duplicate = view.signing_certificate.has_value();
      view.signing_certificate = value->whole;
    } else if (same(type->content, kSigningCertificateV2)) {
      if (value->tag != kDerSequence) return false;
      duplicate = view.signing_certificate_v2.has_value();
      view.signing_certificate_v2 = value->whole;
    } else if (same(type->content, kSmimeCapabilities)) {
      if (value->tag != kDerSequence) return false;
      duplicate = std::exchange(has_caps, true);
    } else {
      return false;  // an attribute the fast path does not know
    }
    if (duplicate) return false;
  }
  return attrs.at_end() && has_content_type && has_time && has_digest;
}

}  // namespace

std::optional<SignedDataView> view_signed_data(ByteView der) {
  DerReader top(der);
  auto ci = top.next(kDerSequence);
  if (!ci || !top.at_end()) return std::nullopt;
  DerReader in_ci(ci->content);
  auto content_type = in_ci.next(kDerOid);
  auto wrapper = in_ci.next(kDerContext0);
  if (!content_type || !same(content_type->content, oid::kSignedData) || !wrapper || !in_ci.at_end())
    return std::nullopt;
  DerReader in_wrapper(wrapper->content);
  auto sd = in_wrapper.next(kDerSequence);
  if (!sd || !in_wrapper.at_end()) return std::nullopt;

  DerReader in_sd(sd->content);
  auto sd_version = in_sd.next(kDerInteger);
  auto digest_algorithms = in_sd.next(kDerSet);
  auto encap = in_sd.next(kDerSequence);
  auto signer_infos = in_sd.next(kDerSet);  // certificates [0] or crls [1] here: not the plain shape
  if (!sd_version || !digest_algorithms || !encap || !signer_infos || !in_sd.at_end()) return std::nullopt;
  DerReader in_encap(encap->content);
  auto econtent_type = in_encap.next(kDerOid);
  if (!econtent_type || !same(econtent_type->content, oid::kData) || !in_encap.at_end()) return std::nullopt;

  DerReader in_infos(signer_infos->content);
  auto info = in_infos.next(kDerSequence);
  if (!info || !in_infos.at_end()) return std::nullopt;
  DerReader in_info(info->content);
  auto si_version = in_info.next(kDerInteger);
  auto sid = in_info.next();
  auto digest = in_info.next(kDerSequence);
  auto signed_attributes = in_info.next(kDerContext0);
  auto signature_algorithm = in_info.next(kDerSequence);
  auto signature = in_info.next(kDerOctetString);
  if (!si_version || !sid || !digest || !signed_attributes || !signature_algorithm || !signature ||
      !in_info.at_end())  // unsignedAttrs [1]: not the plain shape
    return std::nullopt;

  SignedDataView view;
  auto v = der_small_integer(*si_version);
  auto sdv = der_small_integer(*sd_version);
  if (!v || !sdv || *v != *sdv) return std::nullopt;
  if (*v == 1 && sid->tag == kDerSequence) {
    view.signer_version = 1;
  } else if (*v == 3 && sid->tag == kDerContext0Primitive) {
    view.signer_version = 3;
  } else {
    return std::nullopt;
  }
  view.sid = sid->content;
  auto digest_oid = digest_algorithm(*digest);
  if (!digest_oid) return std::nullopt;
  view.digest_algorithm_oid = *digest_oid;
  bool listed = false;
  DerReader in_digests(digest_algorithms->content);
  while (auto alg = in_digests.next(kDerSequence)) {
    // Each one an AlgorithmIdentifier, as OpenSSL's decoder demands: OID and at most one parameter.
    DerReader in_alg(alg->content);
    if (!in_alg.next(kDerOid)) return std::nullopt;
    if (!in_alg.at_end() && (!in_alg.next() || !in_alg.at_end())) return std::nullopt;
    listed = listed || std::ranges::equal(alg->whole, digest->whole);
  }
  if (!listed || !in_digests.at_end()) return std::nullopt;

  view.signed_attributes = signed_attributes->content;
  view.signed_attributes_whole = signed_attributes->whole;
  view.signature_algorithm = signature_algorithm->whole;
  view.signature = signature->content;
  if (!parse_attributes(signed_attributes->content, view)) return std::nullopt;
  return view;
}

}  // namespace antq::signing
