// RSA signature verification with the public operation (s^e mod n) in 52-bit limbs on AVX-512 IFMA.
//
// `antq verify` of an RSA ledger spent most of its time in RSA public operations: 19 Montgomery multiplications
// of 2,048-bit numbers per signature for e = 65537. OpenSSL 3.0 does them with 64-bit scalar multiplies; a CPU
// with AVX-512 IFMA multiplies eight 52-bit limbs per instruction. On the project's machine (AMD EPYC) a whole
// RSA-2048 verification takes 6.7-7.6 µs here against 16.6-19.0 µs with OpenSSL's EVP_PKEY_verify, and
// tools/bench/verify_bench measures verify with each. No library Debian ships does this (OpenSSL 3.0 uses IFMA
// only for private-key operations; GMP's mpz_powm took 18.7 µs).
//
// What is ours and what is not:
//   - only the public operation, which involves no secret: nothing here needs to be constant-time;
//   - PKCS#1 v1.5 is checked by building the whole expected encoding and comparing it, never by parsing;
//     PSS step by step as RFC 8017 §9.1.2, with an exact salt length;
//   - the verifier uses this only on its fast path, which may only accept: a signature refused here goes to
//     OpenSSL, which decides (signing/verifier.cpp);
//   - the tests compare every result with OpenSSL's on random, edge and tampered inputs.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <span>

#include "signing/digest.hpp"

namespace antq::signing {

class RsaPublicKey {
 public:
  // `key` prepared for this machine, or null when it cannot be used here: no AVX-512 IFMA (or set_fast_rsa(false)),
  // not an RSA key, a modulus outside 2,048–4,096 bits, or an exponent that is not odd and in [3, 2^64).
  static std::unique_ptr<const RsaPublicKey> prepare(const EVP_PKEY* key);

  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;
  ~RsaPublicKey();

  std::size_t size() const;  // k: bytes of the modulus

  // RSAVP1 (RFC 8017 §5.2.2): `out` (size() bytes) = signature^e mod n, big-endian. False when the signature is
  // not size() bytes, its value is not below n, or `out` is not size() bytes.
  bool public_operation(ByteView signature, std::span<std::uint8_t> out) const;

  // RSASSA-PKCS1-v1_5 / RSASSA-PSS verification of the hash of a message (RFC 8017 §8.2.2, §8.1.2). digest_nid and
  // mgf1_nid: NID_sha256, NID_sha384 or NID_sha512; anything else is refused.
  bool verify_pkcs1(ByteView signature, int digest_nid, ByteView hash) const;
  bool verify_pss(ByteView signature, int digest_nid, int mgf1_nid, int salt_length, ByteView hash) const;

  struct Rep;

 private:
  explicit RsaPublicKey(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Whether prepare() uses AVX-512 IFMA: true when the CPU has it, unless `ANTQ_RSA_IFMA=0` is in the environment
// or set_fast_rsa(false) was called (tests and benchmarks that compare with OpenSSL). Keys already prepared keep
// working; the verifier asks fast_rsa_enabled() before each use.
bool fast_rsa_available();  // the CPU (and the OS) support it
bool fast_rsa_enabled();
void set_fast_rsa(bool enabled);

// How many public operations RsaPublicKey has done on the calling thread (a thread-local count: no shared cache
// line on the hot path). Lets a test see that a verification took this path.
std::uint64_t fast_rsa_operations_on_this_thread();

}  // namespace antq::signing
