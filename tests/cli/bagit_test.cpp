// cli/bagit.cpp: the tag files of a BagIt bag (RFC 8493) over the payload on disk. tests/tools/handover_test.sh
// checks whole bags with the independent validator tests/tools/bagit_validate.py.
#include "cli/bagit.hpp"

#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;

TEST_CASE("bagit_path percent-encodes exactly CR, LF and %", "[bagit]") {
  CHECK(bagit_path("data/ho-so/001/entries.bin") == "data/ho-so/001/entries.bin");
  CHECK(bagit_path("data/a%b\r\nc d") == "data/a%25b%0D%0Ac d");
  CHECK(bagit_path("data/%0A") == "data/%250A");
  CHECK(bagit_path("data/Hồ sơ\t1") == "data/Hồ sơ\t1");
}

TEST_CASE("seal_bag writes the declaration, sorted manifests over the bytes on disk and the Payload-Oxum", "[bagit]") {
  test::TempDir tmp;
  auto dir = ledger::OutputDirectory::create(tmp / "out", "the test creates it");
  REQUIRE(dir);
  for (const char* d : {"bag", "bag/data", "bag/data/b"}) REQUIRE(dir->make_subdirectory(d));
  REQUIRE(dir->write_text("bag/data/z.txt", "zeta\n"));
  REQUIRE(dir->write_text("bag/data/b/a.bin", std::string(3, '\0')));
  REQUIRE(dir->write_text("outside.txt", "not payload"));
  auto sealed = seal_bag(*dir, "bag", {{"Source-Organization", "UBND xã Lạc Thịnh"}, {"External-Description", "a\nb"}});
  REQUIRE(sealed);
  CHECK(sealed->payload_octets == 8);
  CHECK(sealed->payload_files == 2);

  const fs::path bag = tmp / "out" / "bag";
  CHECK(test::read_file(bag / "bagit.txt") == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  CHECK(test::read_file(bag / "manifest-sha256.txt") ==
        to_hex(sha256(as_bytes(std::string(3, '\0')))) + "  data/b/a.bin\n" +
            to_hex(sha256(as_bytes("zeta\n"))) + "  data/z.txt\n");
  CHECK(test::read_file(bag / "bag-info.txt") ==
        "Source-Organization: UBND xã Lạc Thịnh\nExternal-Description: a\\nb\nPayload-Oxum: 8.2\n");
  const std::string tags = test::read_file(bag / "tagmanifest-sha256.txt");
  for (const char* tag : {"bag-info.txt", "bagit.txt", "manifest-sha256.txt"})
    CHECK_THAT(tags, Catch::Contains(to_hex(sha256(as_bytes(test::read_file(bag / tag)))) + "  " + tag + "\n"));
  CHECK(sealed->tagmanifest == sha256(as_bytes(tags)));
}

}  // namespace
}  // namespace antq::cli
