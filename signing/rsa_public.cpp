// The low-level SHA*_ calls: MGF1 hashes a few short blocks per signature, where an EVP fetch would cost more.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "signing/rsa_public.hpp"

#include <immintrin.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

__extension__ typedef unsigned __int128 Wide;

constexpr std::uint64_t kMask52 = (std::uint64_t{1} << 52) - 1;
constexpr int kMinBits = 2048;
constexpr int kMaxBits = 4096;
constexpr int kMaxLimbs = 80;  // 80 x 52 = 4,160 bits: R = 2^(52 L) must exceed 4n
constexpr std::size_t kMaxBytes = kMaxBits / 8;
constexpr int kWords = kMaxLimbs * 52 / 64 + 2;  // 64-bit words that hold kMaxLimbs limbs, plus one spare

// A number in L = 8 V limbs of 52 bits, least significant first, each limb below 2^52.
using Limbs = std::uint64_t[kMaxLimbs];

// Big-endian bytes -> L limbs (the bytes must fit).
void limbs_from_bytes(ByteView be, std::uint64_t* limbs, int count) {
  std::uint64_t words[kWords] = {};
  for (std::size_t i = 0; i < be.size(); ++i) words[i / 8] |= std::uint64_t{be[be.size() - 1 - i]} << (8 * (i % 8));
  for (int j = 0; j < count; ++j) {
    const unsigned bit = 52u * static_cast<unsigned>(j), w = bit / 64, s = bit % 64;
    std::uint64_t v = words[w] >> s;
    if (s > 12) v |= words[w + 1] << (64 - s);
    limbs[j] = v & kMask52;
  }
}

// L limbs -> big-endian bytes (the number must fit in out.size() bytes).
void bytes_from_limbs(const std::uint64_t* limbs, int count, std::span<std::uint8_t> out) {
  std::uint64_t words[kWords] = {};
  for (int j = 0; j < count; ++j) {
    const unsigned bit = 52u * static_cast<unsigned>(j), w = bit / 64, s = bit % 64;
    words[w] |= limbs[j] << s;
    if (s > 12) words[w + 1] |= limbs[j] >> (64 - s);
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[out.size() - 1 - i] = static_cast<std::uint8_t>(words[i / 8] >> (8 * (i % 8)));
}

struct Modulus {
  int vectors = 0;     // V: the modulus and every operand take 8 V limbs
  Limbs n = {};        // the modulus
  Limbs rr = {};       // R^2 mod n, R = 2^(52 * 8 V)
  std::uint64_t k0 = 0;  // -n^-1 mod 2^52
};

// Almost Montgomery multiplication: out = a b / R mod n, below 2n when a and b are below 2n (R > 4n). `out` may be
// `a` or `b`. The word-serial method, one 52-bit limb of b per step, eight limbs of a and n per instruction:
//
//   acc += lo(a b_i) + lo(n y_i) where y_i = acc_0 (-1/n) mod 2^52 makes limb 0 vanish; acc >>= 52;
//   acc += hi(a b_i) + hi(n y_i)  (the high halves belong one limb up, which the shift has made limb j)
//
// The high halves of step i are added in step i + 1 (before its shift, at the same place), so that the only
// chain from one step to the next through the accumulator is an add and a lane shift. Limb 0, from which y is
// computed, is followed in a scalar register: the vectors' lane 0 is shifted out unread each step. A lane takes
// at most four 52-bit terms per step for L steps: below 2^61 for L <= 80, no carries until the end.
template <int V>
__attribute__((target("avx512f,avx512ifma"))) void montgomery_multiply(std::uint64_t* out, const std::uint64_t* a,
                                                                       const std::uint64_t* b, const Modulus& m) {
  constexpr int L = 8 * V;
  const __m512i zero = _mm512_setzero_si512();
  __m512i acc[V], high[V], va[V], vn[V];
  #pragma GCC unroll 16
  for (int v = 0; v < V; ++v) {
    acc[v] = zero;
    high[v] = zero;
    va[v] = _mm512_loadu_si512(a + 8 * v);
    vn[v] = _mm512_loadu_si512(m.n + 8 * v);
  }
  const std::uint64_t a0 = a[0], n0 = m.n[0], k0 = m.k0;
  std::uint64_t limb1 = 0;  // lane 1 of the last step's sum: this step's limb 0 without carry and high halves
  std::uint64_t carry = 0;  // what limb 0 carried out in the last step
  std::uint64_t high0 = 0;  // the last step's high halves for limb 0
  for (int i = 0; i < L; ++i) {
    const std::uint64_t bi = b[i];
    const Wide ab = Wide{a0} * bi;
    const std::uint64_t t = limb1 + carry + high0 + (static_cast<std::uint64_t>(ab) & kMask52);
    const std::uint64_t y = (t * k0) & kMask52;
    const Wide ny = Wide{n0} * y;
    carry = (t + (static_cast<std::uint64_t>(ny) & kMask52)) >> 52;
    high0 = static_cast<std::uint64_t>(ab >> 52) + static_cast<std::uint64_t>(ny >> 52);

    const __m512i vb = _mm512_set1_epi64(static_cast<long long>(bi));
    const __m512i vy = _mm512_set1_epi64(static_cast<long long>(y));
    __m512i sum[V + 1];
    #pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      __m512i low = _mm512_madd52lo_epu64(high[v], va[v], vb);
      low = _mm512_madd52lo_epu64(low, vn[v], vy);
      high[v] = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(zero, va[v], vb), vn[v], vy);
      sum[v] = _mm512_add_epi64(acc[v], low);
    }
    sum[V] = zero;
    // The masked forms (all lanes kept): GCC 12's plain _mm512_alignr_epi64 and _mm512_castsi512_si128 start from
    // an "undefined" vector that -Wuninitialized reports (GCC bug 105593); the instructions are the same.
    limb1 = static_cast<std::uint64_t>(_mm_extract_epi64(_mm512_maskz_extracti32x4_epi32(0xf, sum[0], 0), 1));
    #pragma GCC unroll 16
    for (int v = 0; v < V; ++v) acc[v] = _mm512_maskz_alignr_epi64(0xff, sum[v + 1], sum[v], 1);
  }
  alignas(64) std::uint64_t unnormalised[L];
  #pragma GCC unroll 16
  for (int v = 0; v < V; ++v) _mm512_store_si512(unnormalised + 8 * v, _mm512_add_epi64(acc[v], high[v]));
  std::uint64_t c = carry;
  for (int j = 0; j < L; ++j) {
    const std::uint64_t s = unnormalised[j] + c;
    out[j] = s & kMask52;
    c = s >> 52;
  }
}

// out = s^e mod n, fully reduced; s below n.
template <int V>
void power(std::uint64_t* out, const std::uint64_t* s, std::uint64_t e, const Modulus& m) {
  constexpr int L = 8 * V;
  alignas(64) std::uint64_t x[L], t[L], one[L] = {1};
  montgomery_multiply<V>(x, s, m.rr, m);  // s R mod n (below 2n)
  std::copy(x, x + L, t);
  for (int bit = 62 - __builtin_clzll(e); bit >= 0; --bit) {
    montgomery_multiply<V>(t, t, t, m);
    if ((e >> bit) & 1) montgomery_multiply<V>(t, t, x, m);
  }
  montgomery_multiply<V>(out, t, one, m);  // t / R: at most n, and n only when s^e = 0 mod n (n not square-free)
  int order = 0;
  for (int j = L - 1; j >= 0 && order == 0; --j)
    if (out[j] != m.n[j]) order = out[j] > m.n[j] ? 1 : -1;
  if (order < 0) return;
  std::uint64_t borrow = 0;
  for (int j = 0; j < L; ++j) {
    const std::uint64_t d = out[j] - m.n[j] - borrow;
    out[j] = d & kMask52;
    borrow = d >> 63;
  }
}

using PowerFunction = void (*)(std::uint64_t*, const std::uint64_t*, std::uint64_t, const Modulus&);

PowerFunction power_for(int vectors) {
  switch (vectors) {
    case 5: return power<5>;  // 2,048 bits
    case 6: return power<6>;
    case 7: return power<7>;
    case 8: return power<8>;  // 3,072 bits
    case 9: return power<9>;
    case 10: return power<10>;  // 4,096 bits
    default: return nullptr;
  }
}

// The hashes RSA signatures may use here, with the DER prefix of their DigestInfo (RFC 8017 §9.2, note 1).
struct HashKind {
  int nid;
  std::size_t length;
  std::uint8_t digest_info[19];
};

constexpr HashKind kHashes[] = {
    {NID_sha256, 32, {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}},
    {NID_sha384, 48, {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}},
    {NID_sha512, 64, {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}},
};

const HashKind* hash_kind(int nid) {
  for (const HashKind& h : kHashes)
    if (h.nid == nid) return &h;
  return nullptr;
}

// The hash of the concatenated parts into `out` (h.length bytes).
void hash_parts(const HashKind& h, std::initializer_list<ByteView> parts, std::uint8_t* out) {
  if (h.nid == NID_sha256) {
    const Digest d = sha256(parts);
    std::memcpy(out, d.data(), d.size());
    return;
  }
  SHA512_CTX ctx;
  if (h.nid == NID_sha384) {
    SHA384_Init(&ctx);
    for (ByteView p : parts) SHA384_Update(&ctx, p.data(), p.size());
    SHA384_Final(out, &ctx);
  } else {
    SHA512_Init(&ctx);
    for (ByteView p : parts) SHA512_Update(&ctx, p.data(), p.size());
    SHA512_Final(out, &ctx);
  }
}

bool cpu_has_ifma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

std::atomic<bool>& enabled_flag() {
  static std::atomic<bool> flag = [] {
    const char* setting = std::getenv("ANTQ_RSA_IFMA");
    return cpu_has_ifma() && !(setting != nullptr && std::strcmp(setting, "0") == 0);
  }();
  return flag;
}

}  // namespace

struct RsaPublicKey::Rep {
  Modulus modulus;
  PowerFunction power = nullptr;
  std::uint64_t exponent = 0;
  int bits = 0;
  std::size_t size = 0;
  std::uint8_t n_bytes[kMaxBytes] = {};  // the modulus, big-endian, size bytes
};

bool fast_rsa_available() {
  static const bool available = cpu_has_ifma();
  return available;
}
bool fast_rsa_enabled() { return enabled_flag().load(std::memory_order_relaxed); }
void set_fast_rsa(bool enabled) { enabled_flag().store(enabled && fast_rsa_available(), std::memory_order_relaxed); }

RsaPublicKey::RsaPublicKey(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
RsaPublicKey::~RsaPublicKey() = default;

std::unique_ptr<const RsaPublicKey> RsaPublicKey::prepare(const EVP_PKEY* key) {
  if (!fast_rsa_enabled() || key == nullptr || !EVP_PKEY_is_a(key, "RSA")) return nullptr;
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  const bool read = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n_raw) == 1 &&
                    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e_raw) == 1;
  UniqueSsl<BIGNUM, BN_free> n(n_raw), e(e_raw);
  if (!read) {
    clear_ssl_errors();
    return nullptr;
  }
  const int bits = BN_num_bits(n.get());
  if (bits < kMinBits || bits > kMaxBits || !BN_is_odd(n.get()) || !BN_is_odd(e.get()) || BN_num_bits(e.get()) > 64 ||
      BN_num_bits(e.get()) < 2)
    return nullptr;

  auto rep = std::make_unique<Rep>();
  rep->bits = bits;
  rep->size = static_cast<std::size_t>(BN_num_bytes(n.get()));
  rep->modulus.vectors = (bits + 2 + 8 * 52 - 1) / (8 * 52);  // 52 L >= bits + 2, so that R > 4n
  rep->power = power_for(rep->modulus.vectors);
  const int limbs = 8 * rep->modulus.vectors;
  std::uint8_t e_bytes[8] = {};
  if (rep->power == nullptr || BN_bn2binpad(n.get(), rep->n_bytes, static_cast<int>(rep->size)) < 0 ||
      BN_bn2binpad(e.get(), e_bytes, sizeof e_bytes) < 0)
    return nullptr;
  for (std::uint8_t byte : e_bytes) rep->exponent = rep->exponent << 8 | byte;
  limbs_from_bytes(ByteView(rep->n_bytes, rep->size), rep->modulus.n, limbs);

  // R^2 mod n, R = 2^(52 L).
  UniqueSsl<BN_CTX, BN_CTX_free> ctx(BN_CTX_new());
  UniqueSsl<BIGNUM, BN_free> rr(BN_new());
  std::uint8_t rr_bytes[kMaxBytes] = {};
  if (!ctx || !rr || BN_set_bit(rr.get(), 2 * 52 * limbs) != 1 || BN_mod(rr.get(), rr.get(), n.get(), ctx.get()) != 1 ||
      BN_bn2binpad(rr.get(), rr_bytes, static_cast<int>(rep->size)) < 0) {
    clear_ssl_errors();
    return nullptr;
  }
  limbs_from_bytes(ByteView(rr_bytes, rep->size), rep->modulus.rr, limbs);

  // -n^-1 mod 2^52 by Newton's iteration: each step doubles the correct low bits of an inverse of the odd n0.
  std::uint64_t inverse = 1;
  for (int i = 0; i < 6; ++i) inverse *= 2 - rep->modulus.n[0] * inverse;
  rep->modulus.k0 = (0 - inverse) & kMask52;
  return std::unique_ptr<const RsaPublicKey>(new RsaPublicKey(std::move(rep)));
}

std::size_t RsaPublicKey::size() const { return rep_->size; }

namespace {
thread_local std::uint64_t operations_on_this_thread = 0;
}  // namespace

std::uint64_t fast_rsa_operations_on_this_thread() { return operations_on_this_thread; }

bool RsaPublicKey::public_operation(ByteView signature, std::span<std::uint8_t> out) const {
  const Rep& r = *rep_;
  if (signature.size() != r.size || out.size() != r.size) return false;
  if (std::memcmp(signature.data(), r.n_bytes, r.size) >= 0) return false;  // RSAVP1 step 1: s < n
  ++operations_on_this_thread;
  const int limbs = 8 * r.modulus.vectors;
  alignas(64) Limbs s, m;
  limbs_from_bytes(signature, s, limbs);
  r.power(m, s, r.exponent, r.modulus);
  bytes_from_limbs(m, limbs, out);
  return true;
}

bool RsaPublicKey::verify_pkcs1(ByteView signature, int digest_nid, ByteView hash) const {
  const HashKind* h = hash_kind(digest_nid);
  const std::size_t k = rep_->size;
  if (h == nullptr || hash.size() != h->length) return false;
  const std::size_t t = sizeof h->digest_info + h->length;  // the DigestInfo
  if (k < t + 11) return false;
  std::uint8_t em[kMaxBytes], expected[kMaxBytes];
  if (!public_operation(signature, std::span(em, k))) return false;
  // EMSA-PKCS1-v1_5: 0x00 0x01 0xff..0xff 0x00 DigestInfo, compared whole.
  expected[0] = 0x00;
  expected[1] = 0x01;
  std::memset(expected + 2, 0xff, k - t - 3);
  expected[k - t - 1] = 0x00;
  std::memcpy(expected + k - t, h->digest_info, sizeof h->digest_info);
  std::memcpy(expected + k - h->length, hash.data(), h->length);
  return std::memcmp(em, expected, k) == 0;
}

bool RsaPublicKey::verify_pss(ByteView signature, int digest_nid, int mgf1_nid, int salt_length, ByteView hash) const {
  const HashKind* h = hash_kind(digest_nid);
  const HashKind* mgf = hash_kind(mgf1_nid);
  const std::size_t k = rep_->size;
  if (h == nullptr || mgf == nullptr || hash.size() != h->length || salt_length < 0) return false;
  std::uint8_t em_whole[kMaxBytes];
  if (!public_operation(signature, std::span(em_whole, k))) return false;
  // RFC 8017 §9.1.2 with emBits = modBits - 1: EM is the last emLen bytes; a leading byte outside it must be 0.
  const std::size_t em_bits = static_cast<std::size_t>(rep_->bits) - 1;
  const std::size_t em_len = (em_bits + 7) / 8;
  const std::uint8_t* em = em_whole + (k - em_len);
  if (k != em_len && em_whole[0] != 0) return false;
  const std::size_t h_len = h->length, s_len = static_cast<std::size_t>(salt_length);
  if (em_len < h_len + s_len + 2) return false;                                                    // step 3
  if (em[em_len - 1] != 0xbc) return false;                                                        // step 4
  const std::size_t db_len = em_len - h_len - 1;                                                   // step 5
  const std::uint8_t* masked_db = em;
  const std::uint8_t* h_value = em + db_len;
  const unsigned unused_bits = static_cast<unsigned>(8 * em_len - em_bits);
  if ((masked_db[0] & (0xff00u >> unused_bits) & 0xffu) != 0) return false;                        // step 6
  std::uint8_t db[kMaxBytes];                                                                      // steps 7-8
  for (std::size_t done = 0, counter = 0; done < db_len; ++counter) {
    const std::uint8_t c[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                               static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
    std::uint8_t block[64];
    hash_parts(*mgf, {ByteView(h_value, h_len), ByteView(c, 4)}, block);
    for (std::size_t i = 0; i < mgf->length && done < db_len; ++i, ++done) db[done] = masked_db[done] ^ block[i];
  }
  db[0] &= static_cast<std::uint8_t>(0xffu >> unused_bits);                                        // step 9
  const std::size_t ps_len = em_len - h_len - s_len - 2;                                           // step 10
  for (std::size_t i = 0; i < ps_len; ++i)
    if (db[i] != 0) return false;
  if (db[ps_len] != 0x01) return false;
  const std::uint8_t zeros[8] = {};                                                                // steps 11-13
  std::uint8_t h_expected[64];
  hash_parts(*h, {ByteView(zeros, 8), hash, ByteView(db + db_len - s_len, s_len)}, h_expected);
  return std::memcmp(h_expected, h_value, h_len) == 0;                                             // step 14
}

}  // namespace antq::signing
