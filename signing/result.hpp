// Result and Error: how every fallible call in antq-ledger reports failure.
//
// A fallible call returns Result<T>; failure is part of the signature. The kinds are few on purpose:
//   bad_input   the caller's bytes, file or arguments are wrong (exit 2; nothing written)
//   refused     well-formed input that a rule refuses; `rule` holds the id from domain.md §10 (exit 2)
//   corruption  stored data does not match what it must be (tampering, data loss) (verify: exit 1)
//   io          the operating system failed us (disk full, permissions) (exit 2)
// "Not found" is an ordinary outcome and is returned as std::optional, not as an Error.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace antq {

enum class ErrorKind { bad_input, refused, corruption, io };

struct Error {
  ErrorKind kind = ErrorKind::bad_input;
  std::string rule;  // only for kind == refused: a rule id of domain.md §10
  std::string message;

  // The one line a user sees: "refused [rule]: message" or the message alone.
  std::string line() const {
    if (kind == ErrorKind::refused) return "refused [" + rule + "]: " + message;
    return message;
  }
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> bad_input(std::string message) {
  return std::unexpected(Error{ErrorKind::bad_input, {}, std::move(message)});
}
inline std::unexpected<Error> refused(std::string rule, std::string message) {
  return std::unexpected(Error{ErrorKind::refused, std::move(rule), std::move(message)});
}
inline std::unexpected<Error> corruption(std::string message) {
  return std::unexpected(Error{ErrorKind::corruption, {}, std::move(message)});
}
inline std::unexpected<Error> io_error(std::string message) {
  return std::unexpected(Error{ErrorKind::io, {}, std::move(message)});
}

}  // namespace antq
