// The built-in stack: libslirp on a tap device, driven from the monitor's loop. libslirp (and
// the GLib it links) is dlopen()ed here, by the monitors that use it only: `--network none`
// and pasta monitors never map it. Only libslirp.h's declarations are used at build time.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <slirp/libslirp.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <list>

#include "skiff/network/stack.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/log.hpp"

namespace skiff::network {

namespace {

struct Api {
  decltype(&slirp_new) new_;
  decltype(&slirp_cleanup) cleanup;
  decltype(&slirp_input) input;
  decltype(&slirp_pollfds_fill) fill;
  decltype(&slirp_pollfds_poll) poll;
};

Result<Api> load_api() {
  static void* h = nullptr;
  if (!h) h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return fail(kUnsupported, fmt::format("the built-in network stack needs libslirp (Debian package libslirp0): {}; "
                                          "or install pasta (package passt)", dlerror()));
  Api a{};
  auto sym = [&](const char* name) { return dlsym(h, name); };
  a.new_ = reinterpret_cast<decltype(a.new_)>(sym("slirp_new"));
  a.cleanup = reinterpret_cast<decltype(a.cleanup)>(sym("slirp_cleanup"));
  a.input = reinterpret_cast<decltype(a.input)>(sym("slirp_input"));
  a.fill = reinterpret_cast<decltype(a.fill)>(sym("slirp_pollfds_fill"));
  a.poll = reinterpret_cast<decltype(a.poll)>(sym("slirp_pollfds_poll"));
  if (!a.new_ || !a.cleanup || !a.input || !a.fill || !a.poll) return fail(kUnsupported, "libslirp lacks slirp_new");
  return a;
}

int64_t mono_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

class Builtin : public Stack {
 public:
  Builtin(Api api, UniqueFd tap) : api_(api), tap_(std::move(tap)) {}
  ~Builtin() override {
    if (slirp_) api_.cleanup(slirp_);
  }
  Status init(const NetInfo& info) {
    SlirpConfig cfg{};
    cfg.version = 1;
    cfg.restricted = 0;
    cfg.in_enabled = true;
    struct in_addr ip{}, gw{}, dns{};
    inet_pton(AF_INET, info.ip.c_str(), &ip);
    inet_pton(AF_INET, info.gateway.c_str(), &gw);
    inet_pton(AF_INET, info.dns.c_str(), &dns);
    uint32_t mask = info.prefix ? htonl(~uint32_t(0) << (32 - info.prefix)) : 0;
    cfg.vnetwork.s_addr = ip.s_addr & mask;
    cfg.vnetmask.s_addr = mask;
    cfg.vhost = gw;
    cfg.vdhcp_start = ip;
    cfg.vnameserver = dns;
    cfg.in6_enabled = false;
    cfg.vhostname = nullptr;
    cfg.if_mtu = size_t(info.mtu ? info.mtu : 1500);
    cfg.if_mru = cfg.if_mtu;
    // The host's loopback stays out of reach, as with slirp4netns's default.
    cfg.disable_host_loopback = true;
    cb_.send_packet = [](const void* buf, size_t len, void* o) -> ssize_t {
      auto* self = static_cast<Builtin*>(o);
      ssize_t n = write(self->tap_.get(), buf, len);
      return n < 0 ? ssize_t(len) : n;  // a full tap queue drops the frame, as a wire would
    };
    cb_.guest_error = [](const char* msg, void*) { log::debug("builtin network: guest error: {}", msg); };
    cb_.clock_get_ns = [](void*) -> int64_t { return mono_ns(); };
    cb_.timer_new = [](SlirpTimerCb cb, void* cb_opaque, void* o) -> void* {
      auto* self = static_cast<Builtin*>(o);
      self->timers_.push_back(Timer{cb, cb_opaque, -1});
      return &self->timers_.back();
    };
    cb_.timer_free = [](void* t, void* o) {
      auto* self = static_cast<Builtin*>(o);
      self->timers_.remove_if([&](const Timer& x) { return &x == t; });
    };
    cb_.timer_mod = [](void* t, int64_t expire_ms, void*) { static_cast<Timer*>(t)->expire_ms = expire_ms; };
    cb_.register_poll_fd = [](int, void*) {};
    cb_.unregister_poll_fd = [](int, void*) {};
    cb_.notify = [](void*) {};
    slirp_ = api_.new_(&cfg, &cb_, this);
    if (!slirp_) return fail(EIO, "libslirp could not start");
    return ok();
  }

  void fill(std::vector<struct pollfd>& fds, int& timeout_ms) override {
    base_ = fds.size();
    fds.push_back({tap_.get(), POLLIN, 0});
    uint32_t t = timeout_ms < 0 ? UINT32_MAX : uint32_t(timeout_ms);
    fds_ = &fds;
    api_.fill(slirp_, &t, [](int fd, int events, void* o) -> int {
      auto* self = static_cast<Builtin*>(o);
      short ev = 0;
      if (events & SLIRP_POLL_IN) ev |= POLLIN;
      if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
      if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
      self->fds_->push_back({fd, ev, 0});
      return int(self->fds_->size() - 1 - self->base_);
    }, this);
    int64_t now_ms = mono_ns() / 1000000;
    for (auto& tm : timers_)
      if (tm.expire_ms >= 0) t = uint32_t(std::min<int64_t>(t, std::max<int64_t>(0, tm.expire_ms - now_ms)));
    timeout_ms = t == UINT32_MAX ? -1 : int(std::min<uint32_t>(t, INT32_MAX));
    fds_ = nullptr;
  }

  void poll_done(const struct pollfd* fds, size_t n) override {
    if (n == 0) return;
    polled_ = fds;
    polled_n_ = n;
    api_.poll(slirp_, 0, [](int idx, void* o) -> int {
      auto* self = static_cast<Builtin*>(o);
      if (idx < 0 || size_t(idx) >= self->polled_n_) return 0;
      short r = self->polled_[idx].revents;
      int ev = 0;
      if (r & POLLIN) ev |= SLIRP_POLL_IN;
      if (r & POLLOUT) ev |= SLIRP_POLL_OUT;
      if (r & POLLPRI) ev |= SLIRP_POLL_PRI;
      if (r & POLLERR) ev |= SLIRP_POLL_ERR;
      if (r & POLLHUP) ev |= SLIRP_POLL_HUP;
      return ev;
    }, this);
    polled_ = nullptr;
    if (fds[0].revents & POLLIN) {
      static uint8_t buf[65536 + 64];
      for (int i = 0; i < 64; ++i) {  // bounded per wake-up
        ssize_t k = read(tap_.get(), buf, sizeof buf);
        if (k <= 0) break;
        api_.input(slirp_, buf, int(k));
      }
    }
    int64_t now_ms = mono_ns() / 1000000;
    for (auto it = timers_.begin(); it != timers_.end();) {
      auto cur = it++;  // the callback may free or re-arm this timer
      if (cur->expire_ms >= 0 && cur->expire_ms <= now_ms) {
        cur->expire_ms = -1;
        cur->cb(cur->opaque);
      }
    }
  }

 private:
  struct Timer {
    SlirpTimerCb cb;
    void* opaque;
    int64_t expire_ms;
  };
  Api api_;
  UniqueFd tap_;
  Slirp* slirp_ = nullptr;
  SlirpCb cb_{};
  std::list<Timer> timers_;
  std::vector<struct pollfd>* fds_ = nullptr;
  size_t base_ = 0;
  const struct pollfd* polled_ = nullptr;
  size_t polled_n_ = 0;
};

}  // namespace

Result<std::unique_ptr<Stack>> start_builtin(const StackConfig& c, const Namespaces& ns) {
  auto api = TRY(load_api());
  auto tap = TRY(open_tap(ns, c.info));
  auto s = std::make_unique<Builtin>(api, std::move(tap));
  TRY(s->init(c.info));
  return std::unique_ptr<Stack>(std::move(s));
}

}  // namespace skiff::network
