#include "cli/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "cli/rate_limit.hpp"
#include "signing/signing.hpp"
#include "signing/tls_server.hpp"

namespace antq::cli::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Now, as every time antq writes (docs/output.md): RFC 3339 in Vietnam time, here to the millisecond.
std::string log_time() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string t = signing::format_vietnam_time(ms / 1000);  // 2026-12-05T14:01:51+07:00
  t.insert(19, fmt::format(".{:03}", ms % 1000));
  return t;
}

// A session, as the drain sees it: closed at once when it waits for a request that has not begun.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void close_if_idle() = 0;
};

}  // namespace

struct Server::Rep {
  // The order of the members is their order of destruction, reversed: the io_context goes after the acceptor and the
  // timer that use it, and before what the sessions it may still hold (handlers of a drain cut short) use in their
  // destructors: the mutex, the session list, the per-client counts.
  std::mutex mutex;  // guards sessions, per_client, handshaking(s), rate, bodies(_of)
  std::list<std::weak_ptr<Closable>> sessions;
  std::map<std::string, unsigned> per_client;   // open connections by client key
  std::map<std::string, unsigned> handshaking;  // TLS handshakes under way by address
  unsigned handshakes = 0;                      // all of them
  std::size_t bodies = 0;                       // bytes of the bodies being received or answered (Content-Length)
  std::map<std::string, std::size_t> bodies_of;  // the same, by client key (none at 0)
  std::optional<RateLimiter> rate;              // request rate by client key; set with `limits`
  Limits limits;
  Handler handler;
  Logger logger;
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  bool tls = true;
  std::atomic<bool> draining = false;
  std::atomic<bool> destroying = false;  // set when the Rep goes: nothing more is posted to `io`
  asio::io_context io;
  // The acceptor is used by the accepting handlers and by the drain: both run on this strand.
  asio::strand<asio::io_context::executor_type> accepting{asio::make_strand(io)};
  tcp::acceptor acceptor{io};
  asio::steady_timer drain_timer{io};

  ~Rep() { destroying = true; }

  void log(LogLine line) {
    if (logger) logger(line);
  }
  // One more of `key` in `counts` (guarded by `mutex`); false when it has `limit` already.
  bool count_in(std::map<std::string, unsigned>& counts, const std::string& key, unsigned limit) {
    std::lock_guard lock(mutex);
    unsigned& n = counts[key];
    if (n >= limit) return false;
    ++n;
    return true;
  }
  void count_out(std::map<std::string, unsigned>& counts, const std::string& key) {
    std::lock_guard lock(mutex);
    auto it = counts.find(key);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  }
  // Counts a connection of `key`; false when that client has its maximum open already.
  bool enter(const std::string& key) { return count_in(per_client, key, limits.max_client_connections); }
  void leave(const std::string& key) { count_out(per_client, key); }
  // Counts a TLS handshake from `address` (handshake_origin). Connections that say nothing hold a slot until
  // Limits::handshake: so that neither one address nor many can take every slot from the clients already connected,
  // one address has at most Limits::max_handshakes_per_address under way, and all together half of
  // Limits::max_connections.
  enum class Handshake { ok, address_full, server_full };
  unsigned max_handshakes() const { return std::max(1u, limits.max_connections / 2); }
  Handshake begin_handshake(const std::string& address) {
    std::lock_guard lock(mutex);
    if (handshakes >= max_handshakes()) return Handshake::server_full;
    unsigned& n = handshaking[address];
    if (n >= limits.max_handshakes_per_address) return Handshake::address_full;
    ++n;
    ++handshakes;
    return Handshake::ok;
  }
  void end_handshake(const std::string& address) {
    std::lock_guard lock(mutex);
    auto it = handshaking.find(address);
    if (it == handshaking.end()) return;
    --handshakes;
    if (--it->second == 0) handshaking.erase(it);
  }
  // What one client's bodies may hold of Limits::max_bodies_in_flight: half of it, or one largest body when that is
  // more, so that one client (one certificate) cannot hold it all and turn the others away.
  std::size_t client_share() const { return std::max(limits.max_body, limits.max_bodies_in_flight / 2); }
  enum class Reserve { ok, server_full, client_full };
  // Reserves `n` bytes of bodies being received or answered for `key`: not when all of them together would pass
  // Limits::max_bodies_in_flight, nor when that client's would pass client_share().
  Reserve reserve_body(const std::string& key, std::size_t n) {
    std::lock_guard lock(mutex);
    if (n > limits.max_bodies_in_flight - bodies) return Reserve::server_full;
    auto it = bodies_of.find(key);
    const std::size_t held = it == bodies_of.end() ? 0 : it->second;
    if (n > client_share() - held) return Reserve::client_full;
    bodies += n;
    if (n > 0) bodies_of[key] = held + n;
    return Reserve::ok;
  }
  void release_body(const std::string& key, std::size_t n) {
    if (n == 0) return;
    std::lock_guard lock(mutex);
    bodies -= std::min(n, bodies);
    if (auto it = bodies_of.find(key); it != bodies_of.end() && (it->second -= std::min(n, it->second)) == 0)
      bodies_of.erase(it);
  }
  // 0 when `key` may send a request now; else the seconds it is to wait (RateLimiter::take).
  double wait(const std::string& key) {
    std::lock_guard lock(mutex);
    return rate->take(key, Clock::now());
  }
  // `n` more requests of `key` (RateLimiter::charge).
  void charge(const std::string& key, std::size_t n) {
    std::lock_guard lock(mutex);
    rate->charge(key, static_cast<double>(n), Clock::now());
  }
  std::list<std::weak_ptr<Closable>>::iterator add_session(std::weak_ptr<Closable> s) {
    std::lock_guard lock(mutex);
    return sessions.insert(sessions.end(), std::move(s));
  }
  void remove_session(std::list<std::weak_ptr<Closable>>::iterator it) {
    bool last = false;
    {
      std::lock_guard lock(mutex);
      sessions.erase(it);
      last = sessions.empty();
    }
    if (last && draining && !destroying) asio::post(io, [this] { io.stop(); });
  }
  std::size_t session_count() {
    std::lock_guard lock(mutex);
    return sessions.size();
  }

  void accept();
  void begin_drain(const std::function<void()>& on_drain);
};

namespace {

template <class Stream>
class Session : public Closable, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(Server::Rep& rep, tcp::socket&& socket)
      : rep_(rep), stream_(make(rep, std::move(socket))), buffer_(rep.limits.max_header + kReadAhead) {
    beast::error_code ec;
    auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    client_.address = ec ? "?" : peer.address().to_string();
    origin_ = ec ? "?" : handshake_origin(client_.address);
  }
  ~Session() override {
    if (!key_.empty() && counted_) rep_.leave(key_);
    if (handshaking_) rep_.end_handshake(origin_);
    rep_.release_body(key_, std::exchange(body_reserved_, 0));
    if (registered_) rep_.remove_session(self_in_list_);
  }

  void start() {
    self_in_list_ = rep_.add_session(this->weak_from_this());
    registered_ = true;
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void close_if_idle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  static Stream make(Server::Rep& rep, tcp::socket&& socket) {
    if constexpr (kTls) return Stream(std::move(socket), rep.ssl);
    else return Stream(std::move(socket));
  }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  void begin() {
    if constexpr (kTls) {
      const auto handshake = rep_.begin_handshake(origin_);
      handshaking_ = handshake == Server::Rep::Handshake::ok;
      if (!handshaking_) {
        rep_.log({log_time(), "-", "", client_.address, "", "", 0, 0, 0,
                  handshake == Server::Rep::Handshake::address_full
                      ? fmt::format("connection closed: {} TLS handshakes from this address under way already",
                                    rep_.limits.max_handshakes_per_address)
                      : fmt::format("connection closed: {} TLS handshakes under way already (half of "
                                    "--max-connections)",
                                    rep_.max_handshakes())});
        return lowest().close();
      }
      lowest().expires_after(rep_.limits.handshake);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      key_ = client_.address;
      admitted();
    }
  }

  void on_handshake(beast::error_code ec) {
    rep_.end_handshake(origin_);
    handshaking_ = false;
    if (ec) {
      // No certificate, an untrusted, expired or revoked one, or no TLS at all: nothing is read.
      const std::string why = signing::certificate_refusal(stream_.native_handle());
      rep_.log({log_time(), "-", "", client_.address, "", "", 0, 0, 0,
                "TLS handshake refused: " + ec.message() + (why.empty() ? "" : ": " + why)});
      return lowest().close();
    }
    auto peer = signing::peer_certificate(stream_.native_handle());
    if (!peer) {
      // The handshake required a certificate, but it cannot be read back: the client would have no name, which the
      // routes take for the operator on plain HTTP. Closed instead.
      rep_.log({log_time(), "-", "", client_.address, "", "", 0, 0, 0,
                "connection closed: the client certificate the handshake accepted cannot be read"});
      return lowest().close();
    }
    client_.fingerprint = peer->fingerprint;
    client_.subject = peer->subject;
    key_ = to_hex(peer->fingerprint);
    admitted();
  }

  void admitted() {
    counted_ = rep_.enter(key_);
    if (!counted_) {
      over_limit_ = true;  // answered with 429 after the request is read, then closed
    }
    read_request();
  }

  void read_request() {
    if (rep_.draining && !first_) return shutdown();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(rep_.limits.max_header));
    parser_->body_limit(rep_.limits.max_body);
    if (!first_ && buffer_.size() == 0) {
      // A keep-alive connection waits for its next request under the idle timeout; once the first bytes arrive, the
      // rest of the header has the header timeout, as a first request's has.
      idle_ = true;
      lowest().expires_after(rep_.limits.idle);
      return stream_.async_read_some(
          buffer_.prepare(kReadAhead), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
            self->buffer_.commit(n);
            if (ec) return self->on_header(ec);  // still idle: a timeout, or the drain's cancel, closes it quietly
            self->idle_ = false;
            self->read_header();
          });
    }
    idle_ = false;
    read_header();
  }
  void read_header() {
    lowest().expires_after(rep_.limits.header);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    const bool was_idle = idle_;
    idle_ = false;
    started_ = Clock::now();
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == asio::error::connection_reset)
      return lowest().close();
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
      if (was_idle || rep_.draining) return shutdown();
      return fail(408, i18n::Text("the request's header did not arrive within {} s", rep_.limits.header.count()));
    }
    // Every request read counts toward its client's rate, a malformed one too: the 4xx below close the connection,
    // and a client that opens another to send the next is still held to its rate.
    const double wait_seconds = rep_.wait(key_);
    if (ec == bhttp::error::header_limit)
      return fail(431, i18n::Text("the request's header is larger than {} bytes", rep_.limits.max_header));
    if (ec == bhttp::error::body_limit)
      return fail(413, i18n::Text("the request's body is larger than {} bytes (--max-body)", rep_.limits.max_body));
    if (ec) return fail(400, i18n::Text("malformed HTTP request: {}", ec.message()));
    method_ = std::string(parser_->get().method_string());
    target_ = std::string(parser_->get().target());
    if (parser_->get().version() != 11) return fail(505, i18n::Text("only HTTP/1.1 is served"));
    // RFC 9112 §3.2: exactly one Host; §6.1: a Transfer-Encoding whose last coding is not chunked leaves the body's
    // length unknown (a request smuggled after it): 400, and the connection closed.
    if (parser_->get().count(bhttp::field::host) != 1)
      return fail(400, i18n::Text("a request has exactly one Host header field"));
    if (!parser_->chunked() && parser_->get().count(bhttp::field::transfer_encoding) > 0)
      return fail(400, i18n::Text("a Transfer-Encoding without chunked last: the body's length is not known"));
    const auto& h = parser_->get();
    if (auto why =
            cross_site_refusal({h.method_string(), h[bhttp::field::host], h[bhttp::field::origin], h["Sec-Fetch-Site"],
                                h["Sec-Fetch-Mode"], h["Sec-Fetch-Dest"], h["Sec-Fetch-User"]},
                               kTls))
      return fail(403, *why);
    target_parsed_ = parse_target(target_);
    if (!target_parsed_) return fail(400, i18n::Text("malformed request target (path and query)"));
    // What can be judged from the header is judged before a byte of the body is read.
    if (over_limit_)
      return fail(
          429, i18n::Text("this client has {} connections open already: use them", rep_.limits.max_client_connections));
    if (wait_seconds > 0) {
      Response r = error(
          429, i18n::Text("more than {} requests per second from this client: wait and retry", rep_.limits.client_rate)
                   .str(language()));
      r.headers.emplace_back("Retry-After",
                             std::to_string(static_cast<long long>(std::ceil(std::min(wait_seconds, 3600.0)))));
      keep_alive_ = parser_->is_done();  // a body not read: the connection cannot go on
      return write(std::move(r));
    }
    if (parser_->chunked())
      return fail(411, i18n::Text("send the request's body with a Content-Length, not in chunks"));
    if (!parser_->is_done()) {
      const std::uint64_t length = parser_->content_length().value_or(0);  // within --max-body: Beast checked it
      if (const auto reserved = rep_.reserve_body(key_, length); reserved != Server::Rep::Reserve::ok) {
        Response r =
            reserved == Server::Rep::Reserve::server_full
                ? error(503, i18n::Text("the server holds {} bytes of requests already: send again shortly",
                                        rep_.limits.max_bodies_in_flight)
                                 .str(language()))
                : error(429, i18n::Text("this client's requests hold {} bytes of the server already: send again "
                                        "when they are answered",
                                        rep_.client_share())
                                 .str(language()));
        r.headers.emplace_back("Retry-After", "2");
        keep_alive_ = false;
        return write(std::move(r));
      }
      body_reserved_ = length;
    }
    lowest().expires_after(rep_.limits.body);
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      return bhttp::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code ec, std::size_t) {
        if (ec) return self->lowest().close();
        self->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return fail(413, i18n::Text("the request's body is larger than {} bytes (--max-body)", rep_.limits.max_body));
    if (ec == beast::error::timeout)
      return fail(408, i18n::Text("the request's body did not arrive within {} s", rep_.limits.body.count()));
    if (ec) return fail(400, i18n::Text("malformed HTTP request: {}", ec.message()));
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    Request request;
    request.method = method_;
    request.target = target_;
    request.path = std::move(target_parsed_->path);
    request.query = std::move(target_parsed_->query);
    target_parsed_.reset();
    request.content_type = std::string(message[bhttp::field::content_type]);
    request.accept_language = std::string(message[bhttp::field::accept_language]).substr(0, 256);
    request.body = std::move(message.body());
    request.client = client_;
    lowest().expires_never();  // the route's time: a submission waits for its group's commit
    rep_.handler(std::move(request), [self = this->shared_from_this()](Response r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  // Answers with an error, then closes the connection (what was read cannot be trusted to end where it seems to).
  // The message is in the language of the request's Accept-Language when its header was read, else English.
  void fail(int status, const i18n::Text& message) {
    keep_alive_ = false;
    write(error(status, message.str(language())));
  }
  i18n::Lang language() const {
    if (!parser_) return i18n::Lang::en;
    return language_of(std::string_view(parser_->get()[bhttp::field::accept_language]).substr(0, 256));
  }

  void write(Response r) {
    if (r.counts_as > 1) rep_.charge(key_, r.counts_as - 1);
    // HEAD: the header GET would have, Content-Length included, and no body (RFC 9110 §9.3.2).
    if (method_ == "HEAD") {
      auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(r.status), 11);
      set_header(*msg, r);
      msg->content_length(r.body.size());
      return send(std::move(msg), 0);
    }
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), 11);
    set_header(*msg, r);
    msg->body() = std::move(r.body);
    msg->prepare_payload();
    const std::size_t bytes = msg->body().size();
    send(std::move(msg), bytes);
  }

  template <class Message>
  void set_header(Message& msg, const Response& r) {
    msg.set(bhttp::field::server, "antq");
    msg.set(bhttp::field::content_type, r.content_type);
    msg.set(bhttp::field::cache_control, r.cache_control);
    msg.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : r.headers) msg.set(name, value);
    msg.keep_alive(keep_alive_ && !rep_.draining);
  }

  template <class Message>
  void send(std::shared_ptr<Message> msg, std::size_t bytes) {
    lowest().expires_after(rep_.limits.body);
    bhttp::async_write(stream_, *msg, [self = this->shared_from_this(), msg, bytes](beast::error_code ec, std::size_t) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - self->started_).count();
      self->rep_.log({log_time(), self->client_.fingerprint ? to_hex(*self->client_.fingerprint) : "-",
                      self->client_.subject, self->client_.address, self->method_, self->target_,
                      static_cast<int>(msg->result_int()), bytes, ms,
                      ec ? "the answer was not delivered: " + ec.message() : ""});
      // The request's body is answered: its bytes no longer count (they were held while the readers or the
      // committer had the request, so that bodies waiting for them are bounded too).
      self->rep_.release_body(self->key_, std::exchange(self->body_reserved_, 0));
      if (ec) return self->lowest().close();
      if (!msg->keep_alive()) return self->shutdown();
      self->first_ = false;
      self->method_.clear();
      self->target_.clear();
      self->read_request();
    });
  }

  void shutdown() {
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().close();
    }
  }

  // What the read buffer may hold beyond a header: read-ahead, and a chunk's header line (one longer is a 400).
  static constexpr std::size_t kReadAhead = 64u << 10;

  Server::Rep& rep_;
  Stream stream_;
  beast::flat_buffer buffer_;  // bounded: a line that never ends cannot grow it
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Client client_;
  std::string key_;
  std::string origin_;  // whom the handshakes of this address count against (handshake_origin)
  std::string method_, target_;
  std::optional<Target> target_parsed_;  // target_, decoded as its header is read
  bool counted_ = false, over_limit_ = false, first_ = true, idle_ = false, keep_alive_ = true, registered_ = false;
  bool handshaking_ = false;
  std::size_t body_reserved_ = 0;  // of Rep::bodies, from this request's header to its answer
  Clock::time_point started_ = Clock::now();
  std::list<std::weak_ptr<Closable>>::iterator self_in_list_;
};

}  // namespace

// Runs on `accepting`, as begin_drain does: a connection is either accepted before the drain looks at the sessions,
// or not at all.
void Server::Rep::accept() {
  acceptor.async_accept(
      asio::make_strand(io), asio::bind_executor(accepting, [this](beast::error_code ec, tcp::socket socket) {
        if (!acceptor.is_open() || draining) return;
        if (ec) {
          // Out of file descriptors, or a connection reset before it was accepted: try again a little later.
          auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(50));
          return timer->async_wait(asio::bind_executor(accepting, [this, timer](beast::error_code) { accept(); }));
        }
        if (session_count() >= limits.max_connections) {
          beast::error_code ignored;
          log({log_time(), "-", "", socket.remote_endpoint(ignored).address().to_string(), "", "", 0, 0, 0,
               fmt::format("connection closed: {} connections open (--max-connections)", limits.max_connections)});
          socket.close(ignored);
        } else if (tls) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket))->start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->start();
        }
        accept();
      }));
}

void Server::Rep::begin_drain(const std::function<void()>& on_drain) {
  if (draining.exchange(true)) return;
  if (on_drain) on_drain();
  beast::error_code ignored;
  acceptor.close(ignored);
  std::vector<std::shared_ptr<Closable>> open;
  {
    std::lock_guard lock(mutex);
    for (auto& w : sessions)
      if (auto s = w.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close_if_idle();
  if (open.empty()) return io.stop();
  drain_timer.expires_after(limits.drain);
  drain_timer.async_wait([this](beast::error_code ec) {
    if (!ec) io.stop();
  });
}

Server::Server(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::listen(const std::string& host, std::uint16_t port, bool tls,
                                               const Limits& limits, Handler handler, Logger logger) {
  auto rep = std::make_unique<Rep>();
  rep->tls = tls;
  rep->limits = limits;
  rep->rate.emplace(limits.client_rate, limits.client_burst);
  rep->handler = std::move(handler);
  rep->logger = std::move(logger);
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec)
    return bad_input(
        i18n::Text("--listen: '{}' is not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::1) or localhost", host));
  if (!tls && !address.is_loopback())
    return bad_input(
        i18n::Text("--listen {}: plain HTTP is served on a loopback address only (127.0.0.1, ::1): anywhere else, "
                   "clients need TLS and their certificates",
                   host));
  tcp::endpoint endpoint(address, port);
  rep->acceptor.open(endpoint.protocol(), ec);
  if (!ec) rep->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) rep->acceptor.bind(endpoint, ec);
  if (!ec) rep->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return bad_input(i18n::Text("--listen {}:{}: {}", host, port, ec.message()));
  return std::unique_ptr<Server>(new Server(std::move(rep)));
}

void* Server::tls_context() { return rep_->tls ? rep_->ssl.native_handle() : nullptr; }

std::uint16_t Server::port() const {
  beast::error_code ec;
  return rep_->acceptor.local_endpoint(ec).port();
}

void Server::run(unsigned threads, const std::function<void()>& on_drain) {
  asio::signal_set signals(rep_->io, SIGTERM, SIGINT);
  signals.async_wait([this, on_drain](beast::error_code ec, int) {
    if (!ec) asio::post(rep_->accepting, [this, on_drain] { rep_->begin_drain(on_drain); });
  });
  stop_ = [this, on_drain] { asio::post(rep_->accepting, [this, on_drain] { rep_->begin_drain(on_drain); }); };
  asio::post(rep_->accepting, [this] { rep_->accept(); });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < std::max(1u, threads); ++i) pool.emplace_back([this] { rep_->io.run(); });
  rep_->io.run();
  for (auto& t : pool) t.join();
}

void Server::stop() {
  if (stop_) stop_();
}

void Server::deliver(std::chrono::seconds limit) {
  rep_->drain_timer.cancel();  // a drain that ended early: its deadline is no work to wait for
  rep_->io.restart();
  rep_->io.run_for(limit);
}

std::optional<i18n::Text> cross_site_refusal(const BrowserSays& r, bool tls) {
  const bool top_level = (r.method == "GET" || r.method == "HEAD") && beast::iequals(r.mode, "navigate") &&
                         beast::iequals(r.dest, "document") && r.user == "?1";
  if (top_level) return std::nullopt;
  if (!r.site.empty()) {
    if (beast::iequals(r.site, "same-origin") || beast::iequals(r.site, "none")) return std::nullopt;
  } else if (r.origin.empty() ||
             beast::iequals(r.origin, std::string(tls ? "https://" : "http://") + std::string(r.host))) {
    return std::nullopt;
  }
  return i18n::Text(
      "a request another site's page made in the browser (Sec-Fetch-Site, Origin): the service answers its own pages "
      "and programs, not other sites with your certificate; open the desk at the service's own address");
}

std::string handshake_origin(const std::string& address) {
  boost::system::error_code ec;
  const auto a = asio::ip::make_address(address, ec);
  if (ec || a.is_v4()) return address;
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace antq::cli::http
