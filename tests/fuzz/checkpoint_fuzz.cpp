// Checkpoints, C2SP signed notes and verifier keys (ledger/checkpoint.hpp), as `antq verify --checkpoint`,
// verify-bundle and a witness read them: ledger::parse_verifier_key, ledger::open_note, ledger::open_checkpoint.
//
// The input is a note, checked against the fixed operator key data/operator.vkey; or, when its first line is a
// verifier key, that key and the note after it. Besides "an error or a checkpoint": an opened checkpoint was
// signed by the key it was opened with, and signing what it says again gives a note that opens to the same.
#include "ledger/checkpoint.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ledger::VerifierKey fixed = [] {
    const Bytes text = fuzz::read_file(fuzz::data_dir() / "operator.vkey");
    auto key = ledger::parse_verifier_key(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
    if (!key) fuzz::broken("data/operator.vkey: " + key.error().message);
    return *key;
  }();
  std::string_view note = fuzz::text(data, size);
  ledger::VerifierKey key = fixed;
  if (auto nl = note.find('\n'); nl != std::string_view::npos) {
    auto given = ledger::parse_verifier_key(note.substr(0, nl));
    if (given) {
      key = *given;
      note.remove_prefix(nl + 1);
    } else {
      fuzz::check_error(given.error());
    }
  }
  auto text = ledger::open_note(note, key);
  auto checkpoint = ledger::open_checkpoint(note, key);
  if (!text) {
    fuzz::check_error(text.error());
    fuzz::require(!checkpoint, "open_checkpoint opened a note open_note refuses");
    return 0;
  }
  fuzz::require(note.starts_with(*text), "open_note's text is not the start of the note");
  if (!checkpoint) {
    fuzz::check_error(checkpoint.error());
    return 0;
  }
  fuzz::require(text->starts_with(checkpoint->origin + "\n" + std::to_string(checkpoint->size) + "\n"),
                "the checkpoint's origin and size are not its first lines");
  return 0;
}
