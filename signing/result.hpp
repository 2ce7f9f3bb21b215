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

#include "i18n/i18n.hpp"

namespace antq {

enum class ErrorKind { bad_input, refused, corruption, io };

struct Error {
  ErrorKind kind = ErrorKind::bad_input;
  std::string rule;  // only for kind == refused: a rule id of domain.md §10
  std::string message;  // in English: what JSON answers and logs carry
  // The message to be put into words in the reader's language (i18n/i18n.hpp), where the error was made with one;
  // empty otherwise (the English message is then shown in every language).
  i18n::Text text = {};

  // The one line a user sees: "refused [rule]: message" or the message alone; in `lang`, "bị từ chối [rule]: …".
  std::string line(i18n::Lang lang = i18n::Lang::en) const {
    const std::string said = lang == i18n::Lang::en || text.empty() ? message : text.str(lang);
    if (kind == ErrorKind::refused) return i18n::trf(lang, "refused [{}]: {}", rule, said);
    return said;
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
// The same with a message each reader gets in their language.
inline std::unexpected<Error> refused(std::string rule, i18n::Text text) {
  std::string english = text.str();
  return std::unexpected(Error{ErrorKind::refused, std::move(rule), std::move(english), std::move(text)});
}
inline std::unexpected<Error> bad_input(i18n::Text text) {
  std::string english = text.str();
  return std::unexpected(Error{ErrorKind::bad_input, {}, std::move(english), std::move(text)});
}
inline std::unexpected<Error> corruption(std::string message) {
  return std::unexpected(Error{ErrorKind::corruption, {}, std::move(message)});
}
inline std::unexpected<Error> corruption(i18n::Text text) {
  std::string english = text.str();
  return std::unexpected(Error{ErrorKind::corruption, {}, std::move(english), std::move(text)});
}
inline std::unexpected<Error> io_error(std::string message) {
  return std::unexpected(Error{ErrorKind::io, {}, std::move(message)});
}
inline std::unexpected<Error> io_error(i18n::Text text) {
  std::string english = text.str();
  return std::unexpected(Error{ErrorKind::io, {}, std::move(english), std::move(text)});
}

// An error's message as a value of another message, still to be put into words: its Text, or its English message
// as it is when it was made without one (a message from a library).
inline i18n::Text text_of(const Error& e) { return e.text.empty() ? i18n::Text::verbatim(e.message) : e.text; }
// The one line of Error::line() as a Text: "refused [rule]: …" for a refusal, text_of(e) otherwise.
inline i18n::Text line_text(const Error& e) {
  return e.kind == ErrorKind::refused ? i18n::Text("refused [{}]: {}", e.rule, text_of(e)) : text_of(e);
}
// `e` said in other words (its kind and rule kept), e.g. with a file's name before it: `text` usually holds
// text_of(e).
inline Error reworded(Error e, i18n::Text text) {
  e.message = text.str();
  e.text = std::move(text);
  return e;
}

}  // namespace antq
