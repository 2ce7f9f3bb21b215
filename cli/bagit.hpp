// BagIt bags (RFC 8493, BagIt 1.0) as antq handover writes them: the payload first (under BAG/data/, written by
// whoever fills it), then seal_bag writes the tag files over what is on disk. docs/handover.md shows the result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/output_directory.hpp"
#include "signing/digest.hpp"

namespace antq::cli {

// A file path as a manifest line writes it (RFC 8493 §2.1.3): CR, LF and % percent-encoded (%0D, %0A, %25), every
// other character as it is.
std::string bagit_path(std::string_view path);

// One element of bag-info.txt (RFC 8493 §2.2.2), written "Label: Value" on one line: a line break or other control
// character in the value is shown as visible() shows it (\n).
struct BagInfoElement {
  std::string label, value;
};

struct SealedBag {
  std::uint64_t payload_octets = 0;  // Payload-Oxum: octets.files
  std::uint64_t payload_files = 0;
  Digest tagmanifest{};              // SHA-256 of tagmanifest-sha256.txt: it covers every other tag file, and the
                                     // payload manifest covers every payload file
};

// Seals the bag in `dir`'s subdirectory `bag` (made already, with its payload under `bag`/data/): reads back every
// file `dir` created under `bag`/data/ and writes manifest-sha256.txt (its lines sorted by path), bagit.txt,
// bag-info.txt (`info`, then Payload-Oxum) and tagmanifest-sha256.txt over those three. The caller removes what was
// written when it fails.
Result<SealedBag> seal_bag(ledger::OutputDirectory& dir, const std::string& bag, const std::vector<BagInfoElement>& info);

}  // namespace antq::cli
