// ledger/output_directory.cpp: a directory made fresh, filled without following symlinks, and undone on failure.
#include "ledger/output_directory.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include "support.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;

TEST_CASE("An output directory refuses a path that exists in any form", "[output-directory]") {
  test::TempDir tmp;
  fs::create_directory(tmp / "empty");
  test::write_file(tmp / "file", "x");
  fs::create_directory_symlink(tmp / "empty", tmp / "link");
  fs::create_symlink(tmp / "nowhere", tmp / "dangling");
  for (const char* name : {"empty", "file", "link", "dangling"}) {
    auto d = OutputDirectory::create(tmp / name, "the test creates it itself");
    REQUIRE(!d);
    CHECK(d.error().kind == ErrorKind::bad_input);
    CHECK_THAT(d.error().message, Catch::Contains("exists: the test creates it itself"));
  }
  CHECK(!fs::exists(tmp / "nowhere"));
}

TEST_CASE("Nested subdirectories, read-back, and undoing what came after a mark", "[output-directory]") {
  test::TempDir tmp;
  auto d = OutputDirectory::create(tmp / "out", "the test creates it itself");
  REQUIRE(d);
  REQUIRE(d->make_subdirectory("a"));
  REQUIRE(d->write_text("a/one.txt", "one"));
  const std::size_t mark = d->mark();
  REQUIRE(d->make_subdirectory("a/b"));
  REQUIRE(d->make_subdirectory("a/b/c"));
  REQUIRE(d->write_text("a/b/c/two.txt", "two!"));
  REQUIRE(d->write_text("a/b/three.txt", "3"));
  CHECK(!d->make_subdirectory("x/y"));  // its parent was never made
  CHECK(!d->write_text("a/one.txt", "again"));  // created exclusively
  CHECK(d->files_under("a/b/") == std::vector<std::string>{"a/b/c/two.txt", "a/b/three.txt"});

  std::string back;
  auto n = d->read_file("a/b/c/two.txt", [&](ByteView p) { back.append(p.begin(), p.end()); });
  REQUIRE(n);
  CHECK(*n == 4);
  CHECK(back == "two!");

  d->remove_since(mark);
  CHECK(!fs::exists(tmp / "out" / "a" / "b"));
  CHECK(test::read_file(tmp / "out" / "a" / "one.txt") == "one");
  CHECK(d->files_under("") == std::vector<std::string>{"a/one.txt"});
  d->remove();
  CHECK(!fs::exists(tmp / "out"));
}

TEST_CASE("A symlink planted inside is neither followed nor removed", "[output-directory]") {
  test::TempDir tmp;
  auto d = OutputDirectory::create(tmp / "out", "the test creates it itself");
  REQUIRE(d);
  test::write_file(tmp / "victim", "keep");
  fs::create_symlink(tmp / "victim", tmp / "out" / "planted");
  CHECK(!d->write_text("planted", "overwritten?"));
  CHECK(!d->read_file("planted", [](ByteView) {}));
  d->remove();
  CHECK(test::read_file(tmp / "victim") == "keep");
  CHECK(fs::is_symlink(tmp / "out" / "planted"));  // not ours: remove() leaves it, and the directory with it
}

}  // namespace
}  // namespace antq::ledger
