// The tests' main: Catch2's, in an environment of its own. Each test process gets a fresh configuration directory
// (XDG_CONFIG_HOME), removed at its end, and none of the ANTQ_OPERATOR_* variables of whoever runs the tests: no test
// reads or writes the operator keys under ~/.config/antq/operator-keys (cli/operator_key.hpp).
#define CATCH_CONFIG_RUNNER
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  std::string dir = (std::filesystem::temp_directory_path() / "antq-test-config-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  unsetenv("ANTQ_OPERATOR_KEY");
  unsetenv("ANTQ_OPERATOR_PASSPHRASE");
  const int result = Catch::Session().run(argc, argv);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return result;
}
