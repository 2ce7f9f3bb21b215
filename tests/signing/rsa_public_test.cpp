// RsaPublicKey against OpenSSL: the public operation against BN_mod_exp, the verifications against EVP_PKEY_verify
// on signatures OpenSSL made and on encodings crafted to be almost right.
#include "signing/rsa_public.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <atomic>
#include <map>
#include <thread>

#include "signing/openssl_util.hpp"

namespace antq::signing {
namespace {

using BnPtr = UniqueSsl<BIGNUM, BN_free>;
using BnCtxPtr = UniqueSsl<BN_CTX, BN_CTX_free>;

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  REQUIRE(RAND_bytes(out.data(), static_cast<int>(n)) == 1);
  return out;
}

Bytes bytes_of(const BIGNUM* x, std::size_t size) {
  Bytes out(size);
  REQUIRE(BN_bn2binpad(x, out.data(), static_cast<int>(size)) == static_cast<int>(size));
  return out;
}

// A public RSA key with any odd modulus and exponent (the public operation does not care whether n is a product of
// two primes).
EvpPkeyPtr public_key(const BIGNUM* n, const BIGNUM* e) {
  UniqueSsl<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> build(OSSL_PARAM_BLD_new());
  REQUIRE(build);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n) == 1);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e) == 1);
  UniqueSsl<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  REQUIRE(ctx);
  REQUIRE(EVP_PKEY_fromdata_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) == 1);
  return EvpPkeyPtr(key);
}

// One RSA key pair per size, made once (4,096-bit generation takes a second or more).
EVP_PKEY* key_pair(int bits) {
  static std::map<int, EvpPkeyPtr> keys;
  auto& key = keys[bits];
  if (!key) key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  REQUIRE(key);
  return key.get();
}

// A key of exactly `bits` bits, n = p q with p of (bits + 1) / 2 bits and q of bits / 2, drawn until n has `bits`
// bits (OpenSSL's key generation rounds 2,049 down to 2,048 bits); the private key as n, e, d.
EVP_PKEY* exact_key_pair(int bits) {
  static std::map<int, EvpPkeyPtr> keys;
  auto& key = keys[bits];
  if (key) return key.get();
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr p(BN_new()), q(BN_new()), n(BN_new()), e(BN_new()), d(BN_new()), phi(BN_new()), p1(BN_new()), q1(BN_new());
  BN_set_word(e.get(), 65537);
  do {
    REQUIRE(BN_generate_prime_ex(p.get(), (bits + 1) / 2, 0, nullptr, nullptr, nullptr) == 1);
    REQUIRE(BN_generate_prime_ex(q.get(), bits / 2, 0, nullptr, nullptr, nullptr) == 1);
    REQUIRE(BN_mul(n.get(), p.get(), q.get(), ctx.get()) == 1);
    BN_copy(p1.get(), p.get());
    BN_sub_word(p1.get(), 1);
    BN_copy(q1.get(), q.get());
    BN_sub_word(q1.get(), 1);
    REQUIRE(BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()) == 1);
  } while (BN_num_bits(n.get()) != bits || BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get()) == nullptr);
  UniqueSsl<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> build(OSSL_PARAM_BLD_new());
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) == 1);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) == 1);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_D, d.get()) == 1);
  UniqueSsl<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* made = nullptr;
  REQUIRE(EVP_PKEY_fromdata_init(pctx.get()) == 1);
  REQUIRE(EVP_PKEY_fromdata(pctx.get(), &made, EVP_PKEY_KEYPAIR, params.get()) == 1);
  REQUIRE(EVP_PKEY_get_bits(made) == bits);
  key.reset(made);
  return made;
}

Bytes modulus_bytes(EVP_PKEY* key, std::size_t k) {
  BIGNUM* raw = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &raw) == 1);
  const BnPtr n(raw);
  return bytes_of(n.get(), k);
}

const EVP_MD* md_of(int nid) { return nid == NID_sha256 ? EVP_sha256() : nid == NID_sha384 ? EVP_sha384() : EVP_sha512(); }

EvpPkeyCtxPtr context(EVP_PKEY* key, bool sign, int digest_nid, int salt /* -1: PKCS#1 v1.5 */) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  REQUIRE(ctx);
  REQUIRE((sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) == 1);
  REQUIRE(EVP_PKEY_CTX_set_signature_md(ctx.get(), md_of(digest_nid)) > 0);
  if (salt >= 0) {
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md_of(digest_nid)) > 0);
    REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt) > 0);
  }
  return ctx;
}

Bytes openssl_sign(EVP_PKEY* key, int digest_nid, int salt, ByteView hash) {
  auto ctx = context(key, true, digest_nid, salt);
  std::size_t size = 0;
  REQUIRE(EVP_PKEY_sign(ctx.get(), nullptr, &size, hash.data(), hash.size()) == 1);
  Bytes out(size);
  REQUIRE(EVP_PKEY_sign(ctx.get(), out.data(), &size, hash.data(), hash.size()) == 1);
  out.resize(size);
  return out;
}

bool openssl_verify(EVP_PKEY* key, int digest_nid, int salt, ByteView signature, ByteView hash) {
  auto ctx = context(key, false, digest_nid, salt);
  bool ok = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size()) == 1;
  clear_ssl_errors();
  return ok;
}

// The signature whose public operation gives `encoded` (k bytes, below n): the raw private operation.
Bytes raw_private(EVP_PKEY* key, ByteView encoded) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  REQUIRE(ctx);
  REQUIRE(EVP_PKEY_decrypt_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) > 0);
  std::size_t size = encoded.size();
  Bytes out(size);
  REQUIRE(EVP_PKEY_decrypt(ctx.get(), out.data(), &size, encoded.data(), encoded.size()) == 1);
  REQUIRE(size == encoded.size());
  return out;
}

std::size_t hash_length(int nid) { return nid == NID_sha256 ? 32 : nid == NID_sha384 ? 48 : 64; }

// Whether this CPU has AVX-512 IFMA. Where it has not, RsaPublicKey must stay unused, which is checked here, and a
// test of its answers has nothing else to check.
bool ifma_here() {
  if (fast_rsa_available()) return true;
  WARN("this CPU has no AVX-512 IFMA: RsaPublicKey is never used here");
  CHECK(RsaPublicKey::prepare(key_pair(2048)) == nullptr);
  return false;
}

}  // namespace

TEST_CASE("RsaPublicKey is used exactly where the CPU has AVX-512 IFMA and the key fits", "[signing][rsa]") {
  EVP_PKEY* key = key_pair(2048);
  INFO("AVX-512 IFMA on this machine: " << (fast_rsa_available() ? "yes" : "no"));
  CHECK((RsaPublicKey::prepare(key) != nullptr) == fast_rsa_available());
  set_fast_rsa(false);
  CHECK(RsaPublicKey::prepare(key) == nullptr);
  CHECK_FALSE(fast_rsa_enabled());
  set_fast_rsa(true);
  CHECK(fast_rsa_enabled() == fast_rsa_available());

  // Outside what it does: ECDSA keys, moduli under 2,048 or over 4,096 bits, even moduli, e = 1, e over 64 bits.
  EvpPkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  CHECK(RsaPublicKey::prepare(ec.get()) == nullptr);
  BnPtr e(BN_new()), n(BN_new()), big_e(BN_new());
  BN_set_word(e.get(), 65537);
  BN_set_bit(big_e.get(), 64);
  BN_add_word(big_e.get(), 1);
  for (int bits : {1024, 2047, 4097, 8192}) {
    REQUIRE(BN_rand(n.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
    CHECK(RsaPublicKey::prepare(public_key(n.get(), e.get()).get()) == nullptr);
  }
  REQUIRE(BN_rand(n.get(), 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1);
  BN_clear_bit(n.get(), 0);
  CHECK(RsaPublicKey::prepare(public_key(n.get(), e.get()).get()) == nullptr);
  BN_set_bit(n.get(), 0);
  CHECK(RsaPublicKey::prepare(public_key(n.get(), big_e.get()).get()) == nullptr);
  BN_one(e.get());
  CHECK(RsaPublicKey::prepare(public_key(n.get(), e.get()).get()) == nullptr);
  BN_set_word(e.get(), 65536);  // even
  CHECK(RsaPublicKey::prepare(public_key(n.get(), e.get()).get()) == nullptr);
  BN_set_word(e.get(), 0xffffffffffffffff);  // the largest it takes
  CHECK((RsaPublicKey::prepare(public_key(n.get(), e.get()).get()) != nullptr) == fast_rsa_available());
}

TEST_CASE("the public operation agrees with BN_mod_exp for every size, exponent and edge input", "[signing][rsa]") {
  if (!ifma_here()) return;
  BnCtxPtr ctx(BN_CTX_new());
  std::uint64_t checked = 0;
  // Sizes at the edges of each limb count (52 L - 2 bits is the most 8 V = L limbs take) and between; exponents
  // fixed, the largest, and three random ones of random lengths.
  const int sizes[] = {2048, 2049, 2078, 2079, 2100, 2494, 2910, 3072, 3326, 3500, 3742, 4096};
  std::vector<std::uint64_t> exponents = {3, 17, 65537, 0xfffffffffffffffb, 0xffffffffffffffff};
  for (std::uint8_t r : random_bytes(3)) {
    std::uint64_t e_word = 0;
    for (std::uint8_t b : random_bytes(8)) e_word = e_word << 8 | b;
    exponents.push_back((e_word >> (r % 62)) | 3);
  }
  for (int bits : sizes) {
    for (std::uint64_t e_word : exponents) {
      // Random moduli, and the extremes of the size: 2^(bits-1) + 1 and 2^bits - 1.
      for (int shape = 0; shape < 3; ++shape) {
        BnPtr n(BN_new()), e(BN_new());
        BN_set_word(e.get(), e_word);
        if (shape == 0) {
          REQUIRE(BN_rand(n.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
        } else if (shape == 1) {
          BN_set_bit(n.get(), bits - 1);
          BN_add_word(n.get(), 1);
        } else {
          BN_set_bit(n.get(), bits);
          BN_sub_word(n.get(), 1);
        }
        auto key = RsaPublicKey::prepare(public_key(n.get(), e.get()).get());
        REQUIRE(key);
        const std::size_t k = key->size();
        REQUIRE(k == static_cast<std::size_t>(BN_num_bytes(n.get())));
        std::vector<BnPtr> inputs;
        for (unsigned small : {0u, 1u, 2u}) {
          inputs.emplace_back(BN_new());
          BN_set_word(inputs.back().get(), small);
        }
        for (unsigned below : {1u, 2u}) {
          inputs.emplace_back(BN_dup(n.get()));
          BN_sub_word(inputs.back().get(), below);
        }
        for (int r = 0; r < 6; ++r) {
          inputs.emplace_back(BN_new());
          REQUIRE(BN_rand_range(inputs.back().get(), n.get()) == 1);
        }
        for (const BnPtr& s : inputs) {
          Bytes signature = bytes_of(s.get(), k), ours(k);
          BnPtr expected(BN_new());
          REQUIRE(BN_mod_exp(expected.get(), s.get(), e.get(), n.get(), ctx.get()) == 1);
          INFO(bits << " bits, e = " << e_word << ", n shape " << shape << ", s = " << to_hex(signature));
          REQUIRE(key->public_operation(signature, ours));
          CHECK(ours == bytes_of(expected.get(), k));
          ++checked;
        }
        // Not below n, or not k bytes: refused, and not counted as an operation.
        const std::uint64_t operations = fast_rsa_operations_on_this_thread();
        Bytes ours(k);
        CHECK_FALSE(key->public_operation(bytes_of(n.get(), k), ours));
        BnPtr above(BN_dup(n.get()));
        BN_add_word(above.get(), 5);
        if (BN_num_bytes(above.get()) == static_cast<int>(k)) CHECK_FALSE(key->public_operation(bytes_of(above.get(), k), ours));
        Bytes short_signature(k - 1, 0x01), long_signature(k + 1, 0x00);
        CHECK_FALSE(key->public_operation(short_signature, ours));
        CHECK_FALSE(key->public_operation(long_signature, ours));
        Bytes small_out(k - 1);
        CHECK_FALSE(key->public_operation(bytes_of(inputs[1].get(), k), small_out));
        CHECK(fast_rsa_operations_on_this_thread() == operations);
        CHECK(key->public_operation(bytes_of(inputs[1].get(), k), ours));
        CHECK(fast_rsa_operations_on_this_thread() == operations + 1);
      }
    }
  }
  CHECK(checked == std::size(sizes) * exponents.size() * 3 * 11);

  // n = x^2 y, not square-free, and s = x y: s^e = 0 mod n. The last Montgomery step then gives n itself, and the
  // final subtraction runs.
  for (std::uint64_t e_word : {std::uint64_t{3}, std::uint64_t{65537}}) {
    BnPtr x(BN_new()), y(BN_new()), n(BN_new()), s(BN_new()), e(BN_new());
    REQUIRE(BN_rand(x.get(), 700, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
    REQUIRE(BN_rand(y.get(), 700, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
    REQUIRE(BN_sqr(n.get(), x.get(), ctx.get()) == 1);
    REQUIRE(BN_mul(n.get(), n.get(), y.get(), ctx.get()) == 1);
    REQUIRE(BN_mul(s.get(), x.get(), y.get(), ctx.get()) == 1);
    BN_set_word(e.get(), e_word);
    auto key = RsaPublicKey::prepare(public_key(n.get(), e.get()).get());
    REQUIRE(key);
    Bytes out(key->size(), 0xaa);
    REQUIRE(key->public_operation(bytes_of(s.get(), key->size()), out));
    CHECK(out == Bytes(key->size(), 0x00));
  }
}

TEST_CASE("signatures OpenSSL makes verify, and no alteration of them does", "[signing][rsa]") {
  if (!ifma_here()) return;
  for (int bits : {2048, 2049, 3072, 4096}) {  // 2049: emLen = k - 1 in PSS
    EVP_PKEY* pair = bits == 2049 ? exact_key_pair(2049) : key_pair(bits);
    auto key = RsaPublicKey::prepare(pair);
    REQUIRE(key);
    for (int nid : {NID_sha256, NID_sha384, NID_sha512}) {
      const std::size_t h = hash_length(nid);
      for (int salt : {-1, 0, 20, static_cast<int>(h)}) {  // -1: PKCS#1 v1.5
        INFO(bits << " bits, " << OBJ_nid2sn(nid) << (salt < 0 ? ", PKCS#1 v1.5" : ", PSS salt " + std::to_string(salt)));
        auto verify = [&](ByteView signature, ByteView hash, int digest = 0, int check_salt = -2) {
          if (digest == 0) digest = nid;
          if (check_salt == -2) check_salt = salt;
          return check_salt < 0 ? key->verify_pkcs1(signature, digest, hash)
                                : key->verify_pss(signature, digest, digest, check_salt, hash);
        };
        const Bytes hash = random_bytes(h);
        const Bytes signature = openssl_sign(pair, nid, salt, hash);
        CHECK(verify(signature, hash));
        CHECK(openssl_verify(pair, nid, salt, signature, hash));

        Bytes other_hash = hash;
        other_hash[h / 2] ^= 0x10;
        CHECK_FALSE(verify(signature, other_hash));
        CHECK_FALSE(verify(signature, ByteView(hash).first(h - 1)));
        CHECK_FALSE(verify(signature, hash, nid == NID_sha256 ? NID_sha512 : NID_sha256));
        CHECK_FALSE(verify(signature, hash, NID_sha1));
        CHECK_FALSE(verify(signature, hash, nid, salt < 0 ? 0 : -1));  // the other padding
        if (salt >= 0) CHECK_FALSE(verify(signature, hash, nid, salt + 1));
        if (salt > 0) CHECK_FALSE(verify(signature, hash, nid, salt - 1));
        if (salt >= 0) CHECK_FALSE(key->verify_pss(signature, nid, nid == NID_sha256 ? NID_sha384 : NID_sha256, salt, hash));
        for (std::size_t bit = 0; bit < 8 * signature.size(); bit += 61) {
          Bytes altered = signature;
          altered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
          CHECK_FALSE(verify(altered, hash));
        }
      }
    }
  }
}

TEST_CASE("encodings crafted to be almost right are refused wherever OpenSSL refuses them", "[signing][rsa]") {
  if (!ifma_here()) return;
  EVP_PKEY* pair = key_pair(2048);
  auto key = RsaPublicKey::prepare(pair);
  REQUIRE(key);
  const std::size_t k = key->size();
  const Bytes hash = random_bytes(32);
  const Bytes prefix = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  auto pkcs1 = [&](std::size_t ps, const Bytes& digest_info, const Bytes& tail) {
    Bytes em = {0x00, 0x01};
    em.insert(em.end(), ps, 0xff);
    em.push_back(0x00);
    em.insert(em.end(), digest_info.begin(), digest_info.end());
    em.insert(em.end(), hash.begin(), hash.end());
    em.insert(em.end(), tail.begin(), tail.end());
    return em;
  };
  const std::size_t ps = k - 3 - prefix.size() - hash.size();
  Bytes no_null = {0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20};
  struct Case {
    std::string what;
    Bytes em;
  };
  std::vector<Case> cases = {
      {"the right encoding", pkcs1(ps, prefix, {})},
      {"DigestInfo without NULL parameters", pkcs1(ps + 2, no_null, {})},
      {"a garbage byte after the hash", pkcs1(ps - 1, prefix, {0x00})},
      {"a shorter padding, the hash at the left", [&] {
         Bytes em = pkcs1(8, prefix, {});
         em.resize(k, 0x00);
         return em;
       }()},
  };
  {
    Bytes em = pkcs1(ps, prefix, {});
    em[1] = 0x02;
    cases.push_back({"block type 2", em});
    em = pkcs1(ps, prefix, {});
    em[2 + ps / 2] = 0xfe;
    cases.push_back({"a padding byte that is not 0xff", em});
    em = pkcs1(ps, prefix, {});
    em[2 + ps] = 0x01;
    cases.push_back({"no zero after the padding", em});
    em = pkcs1(ps, prefix, {});
    em[2 + ps + 1 + 14] = 0x02;  // SHA-384's OID
    cases.push_back({"another hash's DigestInfo", em});
  }
  for (const Case& c : cases) {
    INFO(c.what);
    REQUIRE(c.em.size() == k);
    const Bytes signature = raw_private(pair, c.em);
    const bool theirs = openssl_verify(pair, NID_sha256, -1, signature, hash);
    CHECK(key->verify_pkcs1(signature, NID_sha256, hash) == theirs);
    CHECK(theirs == (c.what == "the right encoding"));
  }

  // PSS, salt 32, built by hand (RFC 8017 §9.1.1) so that each step can be broken.
  const std::size_t em_len = k, h_len = 32, s_len = 32, db_len = em_len - h_len - 1;
  auto sha = [](std::initializer_list<ByteView> parts) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1);
    for (ByteView p : parts) REQUIRE(EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1);
    Bytes out(32);
    REQUIRE(EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) == 1);
    return out;
  };
  const Bytes n_bytes = modulus_bytes(pair, k);
  enum class Break { none, trailer, top_bit, padding_byte, separator, salt_hash };
  auto pss = [&](Break b) {
    const Bytes salt = random_bytes(s_len), zeros(8, 0);
    Bytes h = sha({zeros, hash, salt});
    Bytes db(db_len, 0x00);
    db[db_len - s_len - 1] = b == Break::separator ? 0x02 : 0x01;
    if (b == Break::padding_byte) db[3] = 0x01;
    std::copy(salt.begin(), salt.end(), db.end() - static_cast<std::ptrdiff_t>(s_len));
    if (b == Break::salt_hash) h[0] ^= 1;
    for (std::size_t done = 0, counter = 0; done < db_len; ++counter) {
      const std::uint8_t c[4] = {0, 0, 0, static_cast<std::uint8_t>(counter)};
      Bytes block = sha({h, ByteView(c, 4)});
      for (std::size_t i = 0; i < 32 && done < db_len; ++i, ++done) db[done] ^= block[i];
    }
    db[0] &= 0x7f;
    if (b == Break::top_bit) db[0] |= 0x80;
    Bytes em = db;
    em.insert(em.end(), h.begin(), h.end());
    em.push_back(b == Break::trailer ? 0xbd : 0xbc);
    return em;
  };
  for (auto [b, what] : {std::pair{Break::none, "the right encoding"}, {Break::trailer, "trailer 0xbd"},
                         {Break::top_bit, "the bit above emBits set"}, {Break::padding_byte, "a non-zero padding byte"},
                         {Break::separator, "separator 0x02"}, {Break::salt_hash, "H not the hash of M'"}}) {
    INFO(what);
    Bytes em = pss(b);
    if (std::memcmp(em.data(), n_bytes.data(), k) >= 0) {  // not below n: no signature has this encoding
      CHECK(b == Break::top_bit);
      continue;
    }
    const Bytes signature = raw_private(pair, em);
    const bool theirs = openssl_verify(pair, NID_sha256, 32, signature, hash);
    CHECK(key->verify_pss(signature, NID_sha256, NID_sha256, 32, hash) == theirs);
    CHECK(theirs == (b == Break::none));
  }

  // A 2,049-bit modulus: PSS's EM is one byte shorter than the modulus, and the byte before it must be zero.
  EVP_PKEY* odd_pair = exact_key_pair(2049);
  auto odd_key = RsaPublicKey::prepare(odd_pair);
  REQUIRE(odd_key);
  const std::size_t odd_k = odd_key->size();
  const Bytes odd_n_bytes = modulus_bytes(odd_pair, odd_k);
  bool tried = false;
  for (int attempt = 0; attempt < 100 && !tried; ++attempt) {
    const Bytes signature = openssl_sign(odd_pair, NID_sha256, 32, hash);  // a random salt each time
    Bytes em(odd_k);
    REQUIRE(odd_key->public_operation(signature, em));
    REQUIRE(em[0] == 0x00);
    CHECK(odd_key->verify_pss(signature, NID_sha256, NID_sha256, 32, hash));
    em[0] = 0x01;
    if (std::memcmp(em.data(), odd_n_bytes.data(), odd_k) >= 0) continue;  // not below n: try another salt
    const Bytes altered = raw_private(odd_pair, em);
    CHECK_FALSE(openssl_verify(odd_pair, NID_sha256, 32, altered, hash));
    CHECK_FALSE(odd_key->verify_pss(altered, NID_sha256, NID_sha256, 32, hash));
    tried = true;
  }
  CHECK(tried);

  // Every count of unused bits above emBits (0 to 7): flip each of the top 16 bits of a valid EM and 8 others at
  // random, and compare with OpenSSL on the signature of each changed EM that is below n.
  for (int bits : {2049, 2050, 2052, 2055, 2056, 3073}) {
    EVP_PKEY* sized = exact_key_pair(bits);
    auto sized_key = RsaPublicKey::prepare(sized);
    REQUIRE(sized_key);
    const std::size_t sk = sized_key->size();
    const Bytes sized_n = modulus_bytes(sized, sk);
    for (auto [nid, salt] : {std::pair{NID_sha256, 32}, std::pair{NID_sha512, 64}}) {
      INFO(bits << " bits, " << OBJ_nid2sn(nid) << ", salt " << salt);
      const Bytes h = random_bytes(hash_length(nid));
      const Bytes signature = openssl_sign(sized, nid, salt, h);
      REQUIRE(sized_key->verify_pss(signature, nid, nid, salt, h));
      Bytes em(sk);
      REQUIRE(sized_key->public_operation(signature, em));
      std::vector<std::size_t> flips;
      for (std::size_t bit = 0; bit < 16; ++bit) flips.push_back(bit);
      for (std::uint8_t r : random_bytes(8)) flips.push_back(16 + r * (8 * sk - 16) / 256);
      for (std::size_t bit : flips) {  // counted from the most significant bit of the k bytes
        Bytes changed = em;
        changed[bit / 8] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
        if (std::memcmp(changed.data(), sized_n.data(), sk) >= 0) continue;
        const Bytes forged = raw_private(sized, changed);
        INFO("bit " << bit);
        const bool theirs = openssl_verify(sized, nid, salt, forged, h);
        CHECK(sized_key->verify_pss(forged, nid, nid, salt, h) == theirs);
        CHECK_FALSE(theirs);
      }
    }
  }
}

TEST_CASE("one prepared key serves several threads at once", "[signing][rsa]") {
  if (!ifma_here()) return;
  EVP_PKEY* pair = key_pair(2048);
  auto key = RsaPublicKey::prepare(pair);
  REQUIRE(key);
  const Bytes hash = random_bytes(32), other = random_bytes(32);
  const Bytes pkcs1 = openssl_sign(pair, NID_sha256, -1, hash), pss = openssl_sign(pair, NID_sha256, 32, hash);
  std::atomic<int> right{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        const bool ok = key->verify_pkcs1(pkcs1, NID_sha256, hash) && key->verify_pss(pss, NID_sha256, NID_sha256, 32, hash) &&
                        !key->verify_pkcs1(pkcs1, NID_sha256, other) && !key->verify_pss(pss, NID_sha256, NID_sha256, 32, other);
        ++(ok ? right : wrong);
      }
    });
  for (auto& t : threads) t.join();
  CHECK(right == 1200);
  CHECK(wrong == 0);
}

}  // namespace antq::signing
