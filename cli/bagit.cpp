#include "cli/bagit.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cli/display.hpp"

namespace antq::cli {
namespace {

// "<sha256 hex>  <path>\n" for each file, read back from disk; `strip` is removed from the front of each path (the
// bag's own directory: manifest paths are relative to the bag).
Result<std::string> manifest(const ledger::OutputDirectory& dir, std::vector<std::string> paths, const std::string& strip,
                             SealedBag* payload) {
  std::sort(paths.begin(), paths.end());
  std::string out;
  for (const std::string& path : paths) {
    Sha256Stream digest;
    auto size = dir.read_file(path, [&](ByteView piece) { digest.update(piece); });
    if (!size) return std::unexpected(size.error());
    if (payload) {
      payload->payload_octets += *size;
      ++payload->payload_files;
    }
    out += to_hex(digest.finish()) + "  " + bagit_path(std::string_view(path).substr(strip.size())) + "\n";
  }
  return out;
}

}  // namespace

std::string bagit_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

Result<SealedBag> seal_bag(ledger::OutputDirectory& dir, const std::string& bag, const std::vector<BagInfoElement>& info) {
  const std::string root = bag + "/";
  SealedBag sealed;
  auto payload = manifest(dir, dir.files_under(root + "data/"), root, &sealed);
  if (!payload) return std::unexpected(payload.error());
  Status s = dir.write_text(root + "manifest-sha256.txt", *payload);
  if (s) s = dir.write_text(root + "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  std::string bag_info;
  for (const BagInfoElement& e : info) bag_info += e.label + ": " + visible(e.value) + "\n";
  bag_info += fmt::format("Payload-Oxum: {}.{}\n", sealed.payload_octets, sealed.payload_files);
  if (s) s = dir.write_text(root + "bag-info.txt", bag_info);
  if (!s) return std::unexpected(s.error());
  auto tags = manifest(dir, {root + "bagit.txt", root + "bag-info.txt", root + "manifest-sha256.txt"}, root, nullptr);
  if (!tags) return std::unexpected(tags.error());
  if (auto w = dir.write_text(root + "tagmanifest-sha256.txt", *tags); !w) return std::unexpected(w.error());
  sealed.tagmanifest = sha256(as_bytes(*tags));
  return sealed;
}

}  // namespace antq::cli
