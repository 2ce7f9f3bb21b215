#include "ledger/event.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

namespace antq::ledger {
namespace {

Bytes filled(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

Entry sample(std::size_t body_size, std::size_t signatures) {
  Entry e;
  e.seq = 4100;
  e.recorded_at = "2026-12-02T06:00:00Z";
  e.event.body = filled(body_size, 1);
  for (std::size_t i = 0; i < signatures; ++i)
    e.event.signatures.push_back({i == 0 ? Role::person : Role::organisation, {}, filled(700 + i * 64, 9)});
  for (std::size_t i = 0; i < e.event.signatures.size(); ++i) e.event.signatures[i].signer.fill(0x40 + i);
  return e;
}

// `bytes` copied to `offset` bytes past an 8-byte boundary, as entries lie in LMDB's leaf pages.
struct Placed {
  Placed(const Bytes& bytes, std::size_t offset) : storage(new std::uint64_t[bytes.size() / 8 + 2]) {
    at = reinterpret_cast<std::uint8_t*>(storage.get()) + offset;
    std::memcpy(at, bytes.data(), bytes.size());
    view = ByteView(at, bytes.size());
  }
  std::unique_ptr<std::uint64_t[]> storage;
  std::uint8_t* at;
  ByteView view;
};

// Whether `part` lies in `whole` (an empty view lies nowhere in particular).
bool within(ByteView part, ByteView whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

TEST_CASE("An entry decodes to what was encoded, read in place or copied, aligned or not", "[event]") {
  // 100 KB of body: larger than the 64 KiB a thread keeps for the canonical check and for unaligned copies.
  for (std::size_t body : {std::size_t{0}, std::size_t{300}, std::size_t{100'000}}) {
    for (std::size_t signatures : {0, 1, 2}) {
      const Entry e = sample(body, signatures);
      const Bytes bytes = encode_entry(e);
      for (std::size_t offset : {0, 1, 2, 5}) {
        INFO("body " << body << " bytes, " << signatures << " signatures, at offset " << offset);
        Placed placed(bytes, offset);
        auto copied = decode_entry(placed.view);
        REQUIRE(copied);
        CHECK(copied->seq == e.seq);
        CHECK(copied->recorded_at == e.recorded_at);
        CHECK(copied->event.body == e.event.body);
        REQUIRE(copied->event.signatures.size() == signatures);
        for (std::size_t i = 0; i < signatures; ++i) {
          CHECK(copied->event.signatures[i].role == e.event.signatures[i].role);
          CHECK(copied->event.signatures[i].signer == e.event.signatures[i].signer);
          CHECK(copied->event.signatures[i].cms == e.event.signatures[i].cms);
        }
        auto in_place = decode_entry_view(placed.view);
        REQUIRE(in_place);
        CHECK(std::ranges::equal(in_place->body, e.event.body));
        CHECK(within(in_place->body, placed.view));
        CHECK(within(ByteView(reinterpret_cast<const std::uint8_t*>(in_place->recorded_at.data()),
                              in_place->recorded_at.size()),
                      placed.view));
        for (std::size_t i = 0; i < signatures; ++i) {
          CHECK(std::ranges::equal(in_place->signatures[i].cms, e.event.signatures[i].cms));
          CHECK(within(in_place->signatures[i].cms, placed.view));
        }
      }
    }
  }
}

TEST_CASE("The canonical check accepts what encode_entry writes for every shape of entry", "[event]") {
  // decode_entry writes the canonical form itself (ledger/canonical.hpp) and requires the bytes to equal it: it must
  // agree with encode_entry (Cap'n Proto's canonicalize) where sizes round to words, where the data word is dropped
  // (seq 0, every role the first), where lists and data are empty, and wherever the roles fall.
  const std::vector<std::vector<Role>> role_lists = {
      {}, {Role::person}, {Role::organisation}, {Role::person, Role::organisation}, {Role::organisation, Role::person}};
  std::size_t shapes = 0;
  for (std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 40})
    for (std::size_t text = 0; text <= 9; ++text)
      for (std::size_t body : {0, 1, 7, 8, 9, 16, 17})
        for (const auto& roles : role_lists)
          for (std::size_t cms : {0, 1, 8, 700}) {
            Entry e{seq, std::string(text, 'T'), {filled(body, 3), {}}};
            for (Role role : roles) e.event.signatures.push_back({role, {}, filled(cms, 5)});
            const Bytes bytes = encode_entry(e);
            INFO("seq " << seq << ", recordedAt of " << text << ", body of " << body << ", " << roles.size()
                        << " signatures, cms of " << cms);
            auto decoded = decode_entry(bytes);
            REQUIRE(decoded);
            CHECK(encode_entry(*decoded) == bytes);
            ++shapes;
          }
  CHECK(shapes == 3 * 10 * 7 * 5 * 4);
}

TEST_CASE("An entry decodes only from its canonical bytes: every one-bit change is refused or re-encodes to itself",
          "[event]") {
  const Bytes bytes = encode_entry(sample(40, 2));
  std::size_t refused = 0;
  for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    Bytes changed = bytes;
    changed[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    Placed placed(changed, 3);
    auto copied = decode_entry(placed.view);
    auto in_place = decode_entry_view(placed.view);
    INFO("bit " << bit);
    REQUIRE(copied.has_value() == in_place.has_value());
    if (copied) CHECK(encode_entry(*copied) == changed);  // accepted: these are the canonical bytes of what it says
    else ++refused;
  }
  CHECK(refused > 0);  // the changes to pointers and sizes (most bits are contents, which any value may hold)

  // Each word of an entry with empty fields zeroed in turn, which makes its pointers null: null text, data and lists
  // read as empty values without lying in the message, and decoding must neither trip on them nor accept a form
  // that encode_entry does not write (it writes empty text and lists, not nulls).
  const Bytes sparse = encode_entry(Entry{0, "", {}});
  for (std::size_t word = 1; word * 8 < sparse.size(); ++word) {
    Bytes zeroed = sparse;
    std::fill_n(zeroed.begin() + static_cast<std::ptrdiff_t>(word * 8), 8, std::uint8_t{0});
    Placed placed(zeroed, 1);
    INFO("word " << word << " zeroed");
    auto copied = decode_entry(placed.view);
    CHECK(copied.has_value() == decode_entry_view(placed.view).has_value());
    if (copied) CHECK(encode_entry(*copied) == zeroed);
  }

  Bytes longer = bytes;  // a word of zeros after the message: the canonical form has none
  longer.insert(longer.end(), 8, 0);
  CHECK_FALSE(decode_entry(longer));
  CHECK_FALSE(decode_entry_view(longer));
}

}  // namespace
}  // namespace antq::ledger
