// Reading the files a user names (acts, signed events, attachments, certificates, keys, CRLs, checkpoints, CSV):
// every one through read_user_file, so that none of them can block, stream without end or fill the memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::signing {

// The whole content of the regular file at `path`, at most `max_bytes` long. The file is opened without blocking
// (O_NONBLOCK, O_NOCTTY: a FIFO or a terminal never waits for a writer) and refused unless fstat says it is a
// regular file: a directory, FIFO, socket or device (/dev/zero, /dev/stdin) is refused before anything is read.
// Symbolic links are followed, to a regular file only. No more than max_bytes + 1 bytes are ever read, so a file
// that grows while it is read is refused too. bad_input naming `what` and the path ("certificate file x.pem: ...")
// when the file is missing, unreadable, not regular or larger than max_bytes (the limit is named in the message).
Result<Bytes> read_user_file(const std::string& path, std::size_t max_bytes, std::string_view what);

// The largest files signing/ reads (docs/act-limits.md). A certificate file may be a whole trust bundle (every
// root a browser trusts is about 200 KiB of PEM); a key file is one key, or a PKCS#12 with its chain (a few KiB); a
// CRL of a national CA that revokes a great many certificates reaches tens of MiB.
inline constexpr std::size_t kMaxCertificateFileBytes = 4u << 20;
inline constexpr std::size_t kMaxKeyFileBytes = 1u << 20;
inline constexpr std::size_t kMaxCrlFileBytes = 64u << 20;

// "64 MiB", "1 TiB", "512 bytes": a limit as the messages and docs/act-limits.md name it.
std::string byte_limit_text(std::uint64_t bytes);

}  // namespace antq::signing
