// Helpers shared by the signing tests: a temporary directory, files, the openssl command line, a small PKI built
// with issue_certificate, an environment variable set for a test, and a certificate signed again without its
// authority key identifier.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "signing/openssl_util.hpp"
#include "signing/signing.hpp"

namespace antq::signing::test {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "antq-signing-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}
inline void write_file(const std::string& path, const std::string& text) { write_file(path, as_bytes(text)); }

inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string read_text(const std::string& path) {
  Bytes b = read_file(path);
  return std::string(b.begin(), b.end());
}

// Runs a shell command with its output in `dir`/command.log (shown on failure by the caller); returns the
// exit status.
inline int run(const TempDir& dir, const std::string& command) {
  std::string full = "(" + command + ") >" + dir.file("command.log") + " 2>&1";
  int status = std::system(full.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  int code = WEXITSTATUS(status);
  if (code != 0)
    UNSCOPED_INFO("command failed (" << code << "): " << command << "\n" << read_text(dir.file("command.log")));
  return code;
}

inline UnixTime at(const char* iso) {
  auto t = parse_time(iso);
  REQUIRE(t.has_value());
  return *t;
}

// The signing time most tests use, and certificate validity around it.
constexpr UnixTime kSigningTime = 1678174257;  // 2023-03-07T14:30:57+07:00

// Requests and options by assignment: GCC 12 warns about designated initializers that skip members.
inline CertificateRequest request(const std::string& common_name, const std::string& algorithm = "p256") {
  CertificateRequest r;
  r.common_name = common_name;
  r.key_algorithm = algorithm;
  return r;
}
inline CertificateRequest with_usage(CertificateRequest r, bool digital_signature, bool non_repudiation) {
  r.digital_signature = digital_signature;
  r.non_repudiation = non_repudiation;
  return r;
}
inline CertificateRequest valid(CertificateRequest r, UnixTime not_before, UnixTime not_after) {
  r.not_before = not_before;
  r.not_after = not_after;
  return r;
}
inline SignOptions sign_options(std::optional<UnixTime> signing_time, RsaPadding padding = RsaPadding::pss) {
  SignOptions o;
  o.signing_time = signing_time;
  o.rsa_padding = padding;
  return o;
}

inline IssuedCertificate issue(CertificateRequest request, const IssuedCertificate* issuer = nullptr) {
  if (request.not_before == 0) request.not_before = at("2020-01-01T00:00:00Z");
  if (request.not_after == 0) request.not_after = at("2045-01-01T00:00:00Z");
  auto cert = issue_certificate(request, issuer);
  REQUIRE(cert.has_value());
  return std::move(*cert);
}

inline IssuedCertificate root_ca(const std::string& name = "Test Root CA", const std::string& algorithm = "p256") {
  CertificateRequest r;
  r.common_name = name;
  r.organisation = "Ban Co yeu Chinh phu (test)";
  r.key_algorithm = algorithm;
  r.is_ca = true;
  return issue(r);
}

inline IssuedCertificate leaf(const IssuedCertificate& issuer, const std::string& algorithm,
                              const std::string& name = "Nguyễn Văn An") {
  CertificateRequest r;
  r.common_name = name;
  r.organisation = "Công an huyện Yên Thế";
  r.key_algorithm = algorithm;
  return issue(r, &issuer);
}

// The shared PKI: one root and one end-entity certificate per algorithm (RSA keys are slow to make, so once).
struct Pki {
  IssuedCertificate root = root_ca();
  IssuedCertificate rsa = leaf(root, "rsa2048", "RSA signer");
  IssuedCertificate p256 = leaf(root, "p256", "P-256 signer");
  IssuedCertificate p384 = leaf(root, "p384", "P-384 signer");
  IssuedCertificate ed25519 = leaf(root, "ed25519", "Ed25519 signer");
};
inline const Pki& pki() {
  static const Pki instance;
  return instance;
}

inline Verifier verifier_for(const IssuedCertificate& root) {
  Verifier v;
  REQUIRE(v.add_root(root.certificate_der).has_value());
  return v;
}

// Writes the key to `dir`/`name` and loads it as a PrivateKey.
inline PrivateKey key_of(const TempDir& dir, const IssuedCertificate& cert, const std::string& name = "signer.key") {
  write_file(dir.file(name), cert.private_key_pem);
  auto key = PrivateKey::load(dir.file(name));
  REQUIRE(key.has_value());
  return std::move(*key);
}

inline void write_pem(const std::string& path, const IssuedCertificate& cert) {
  write_file(path, certificate_to_pem(cert.certificate_der));
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs `body` with the environment variable `name` set (or unset when `value` is null) and stdin on /dev/null, so
// that no test ever waits for a prompt; restores both.
template <class F>
void with_variable(const char* name, const char* value, F body) {
  const char* old = std::getenv(name);
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  if (value)
    ::setenv(name, value, 1);
  else
    ::unsetenv(name);
  int saved_stdin = ::dup(STDIN_FILENO);
  int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, STDIN_FILENO);
  ::close(null);
  body();
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
  if (saved)
    ::setenv(name, saved->c_str(), 1);
  else
    ::unsetenv(name);
}

// `cert` without its authorityKeyIdentifier, signed again by `issuer` (as some CAs issue: OpenSSL then finds the
// issuer by name alone).
inline Bytes without_authority_key_id(const Bytes& cert, const IssuedCertificate& issuer) {
  X509Ptr x = x509_from_der(cert);
  BioPtr key_bio = memory_bio(as_bytes(issuer.private_key_pem));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  REQUIRE((x && key));
  const int at = X509_get_ext_by_NID(x.get(), NID_authority_key_identifier, -1);
  REQUIRE(at >= 0);
  X509_EXTENSION_free(X509_delete_ext(x.get(), at));
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  Bytes out = x509_to_der(x.get());
  REQUIRE(!out.empty());
  return out;
}

}  // namespace antq::signing::test
